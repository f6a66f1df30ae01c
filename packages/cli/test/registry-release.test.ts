// The path users take, end to end: the five packages are published by
// `npm run release` to a real npm registry (Verdaccio, on loopback, storage
// in a temporary folder), then, in a folder outside the checkout with only
// that registry configured, a user installs the CLI, scaffolds an operator,
// installs it, builds it, runs its own tests against a real API server and
// checks its CRDs. Packages other than ours come through the registry's
// uplink (the registry npm is configured with on this machine).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '@switchboard/testing';

const root = join(import.meta.dirname, '..', '..', '..');
const PACKAGES = [
  '@switchboard/core',
  '@switchboard/testing',
  '@switchboard/cli',
  '@switchboard/etcd-operator',
  '@switchboard/prometheus-operator',
];
const version = (
  JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')) as { version: string }
).version;

interface Ran {
  status: number | null;
  out: string;
}

/** Runs a command to its end; stdout and stderr interleaved in `out`. */
function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', fail);
    child.on('close', (status) => done({ status, out }));
  });
}

/** This environment without npm's and the checkout's own settings: a user's shell. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === 'SWITCHBOARD_CLI_PREFIX' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  return {
    ...env,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...extra,
  };
}

let work: string;
let registry: string;
let verdaccio: ChildProcess | undefined;
let publisherNpmrc: string;

async function upstreamRegistry(): Promise<string> {
  const ran = await sh('npm', ['config', 'get', 'registry'], root, userEnv({}));
  return ran.out.trim();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'switchboard-registry-e2e-'));
  const port = await freePort('127.0.0.1');
  registry = `http://127.0.0.1:${port}/`;
  writeFileSync(
    join(work, 'verdaccio.yaml'),
    [
      `storage: ${join(work, 'storage')}`,
      'auth:',
      `  htpasswd: { file: ${join(work, 'htpasswd')}, max_users: 10 }`,
      'uplinks:',
      `  upstream: { url: ${await upstreamRegistry()}, timeout: 60s }`,
      'packages:',
      // Ours come only from here: never mixed with a namesake upstream.
      "  '@switchboard/*': { access: $all, publish: $authenticated }",
      "  '**': { access: $all, proxy: upstream }",
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  verdaccio = spawn(
    process.execPath,
    [
      join(root, 'node_modules/verdaccio/bin/verdaccio'),
      '--config',
      join(work, 'verdaccio.yaml'),
      '--listen',
      `127.0.0.1:${port}`,
    ],
    { stdio: 'ignore', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${registry}-/ping`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`Verdaccio did not answer at ${registry} within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  // A user of the registry, as `npm adduser` makes one; its token publishes.
  const user = await fetch(`${registry}-/user/org.couchdb.user:release`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release', password: 'release-password' }),
  });
  const { token } = (await user.json()) as { token: string };
  publisherNpmrc = join(work, 'publisher.npmrc');
  writeFileSync(publisherNpmrc, `//127.0.0.1:${port}/:_authToken=${token}\n`);
}, 120_000);

afterAll(() => {
  verdaccio?.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

const release = (npmrc: string) =>
  sh(
    process.execPath,
    [join(root, 'scripts/release.mjs'), '--registry', registry, '--no-build'],
    root,
    userEnv({
      npm_config_userconfig: npmrc,
      npm_config_cache: join(work, 'publisher-cache'),
    }),
  );

async function publishedVersions(name: string): Promise<string[]> {
  const res = await fetch(`${registry}${name.replace('/', '%2f')}`);
  if (res.status === 404) return [];
  return Object.keys(((await res.json()) as { versions: Record<string, unknown> }).versions);
}

describe('npm run release, then a user outside the checkout', () => {
  it('refuses without credentials for the registry, in one line with the next step, and publishes nothing', async () => {
    const anonymous = join(work, 'anonymous.npmrc');
    writeFileSync(anonymous, '');
    const ran = await release(anonymous);
    expect(ran.status).toBe(1);
    expect(ran.out).toContain(`release: ${registry} does not know us`);
    expect(ran.out).toContain(`next: npm login --registry ${registry}`);
    for (const name of PACKAGES) expect(await publishedVersions(name)).toEqual([]);
  }, 300_000);

  it('publishes the five packages at the workspace version; run again, it skips them', async () => {
    const first = await release(publisherNpmrc);
    expect(first.out).toContain('5 published, 0 already there');
    expect(first.status).toBe(0);
    for (const name of PACKAGES) expect(await publishedVersions(name)).toEqual([version]);
    // What a user gets has no workspace: ranges left in it.
    const cli = (await (await fetch(`${registry}@switchboard%2fcli`)).json()) as {
      versions: Record<
        string,
        { dependencies: Record<string, string>; peerDependencies: Record<string, string> }
      >;
    };
    const manifest = cli.versions[version]!;
    expect(JSON.stringify([manifest.dependencies, manifest.peerDependencies])).not.toContain('workspace:');

    const again = await release(publisherNpmrc);
    expect(again.out).toContain('0 published, 5 already there');
    expect(again.status).toBe(0);
  }, 600_000);

  it('installs the CLI from the registry alone, scaffolds, builds, passes its own tests and checks its CRDs', async () => {
    const home = mkdtempSync(join(tmpdir(), 'switchboard-user-'));
    try {
      const npmrc = join(home, '.npmrc');
      writeFileSync(npmrc, `registry=${registry}\n`);
      const env = userEnv({
        npm_config_userconfig: npmrc,
        npm_config_cache: join(home, '.npm'),
        NODE_NO_WARNINGS: '1',
      });
      writeFileSync(join(home, 'package.json'), JSON.stringify({ name: 'tools', private: true }));
      const steps: [string, string[], string][] = [
        ['npm', ['install', '@switchboard/cli'], home],
        ['npx', ['switchboard', 'new', 'operator', 'website', '--kind', 'Website'], home],
        ['npm', ['install'], join(home, 'website')],
        ['npm', ['run', 'build'], join(home, 'website')],
        ['npm', ['test', '--', '--ci'], join(home, 'website')],
        ['npx', ['switchboard', 'crd', '--check'], join(home, 'website')],
      ];
      for (const [command, args, cwd] of steps) {
        const ran = await sh(command, args, cwd, env);
        if (ran.status !== 0)
          throw new Error(`${command} ${args.join(' ')} exited ${ran.status}:\n${ran.out}`);
        if (args[0] === 'test') expect(ran.out).toMatch(/Tests:\s+\d+ passed, \d+ total/);
      }
      // Every @switchboard package came from the registry, at the released version.
      const lock = JSON.parse(readFileSync(join(home, 'website', 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { version?: string; resolved?: string; link?: boolean }>;
      };
      const ours = Object.entries(lock.packages).filter(([path]) =>
        path.includes('node_modules/@switchboard/'),
      );
      expect(ours.map(([path]) => path.replace(/^.*node_modules\//, '')).sort()).toEqual(
        ['@switchboard/cli', '@switchboard/core', '@switchboard/testing'].sort(),
      );
      for (const [, entry] of ours) {
        expect(entry.version).toBe(version);
        expect(entry.resolved?.startsWith(registry)).toBe(true);
      }
      expect(existsSync(join(home, 'website', 'dist', 'operator.js'))).toBe(true);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 900_000);
});
