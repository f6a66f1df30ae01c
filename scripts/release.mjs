// Publishes the five public packages at their workspace versions:
//
//   npm run release -- --registry <url> [--tag <dist-tag>] [--no-build]
//
// Versions and changelogs come from changesets (`npm run changeset` records a
// change, `npm run version-packages` applies them); this only publishes.
//
// Nothing is half-written: every package is built and packed first (pnpm
// turns `workspace:` ranges into the versions it publishes), the registry is
// asked who we are and which versions it already has, and only then are the
// tarballs published, core first, so a package never reaches the registry
// before what it depends on. A version the registry already has is skipped,
// so a release that stopped midway is finished by running it again.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = join(import.meta.dirname, '..');
/** In dependency order: each one's workspace dependencies come before it. */
export const PUBLISHED = [
  'packages/core',
  'packages/testing',
  'packages/cli',
  'operators/etcd',
  'operators/prometheus',
];
/** The packages' `engines.node` (`>=X.Y.Z`), as [X, Y]. */
const MIN_NODE = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8'))
  .engines.node.replace(/^>=/, '')
  .split('.')
  .slice(0, 2)
  .map(Number);

function fail(message, next) {
  console.error(`release: ${message}`);
  if (next) console.error(`  next: ${next}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) return { ok: false, out: '', err: result.error.message };
  return { ok: result.status === 0, out: result.stdout ?? '', err: result.stderr ?? '' };
}

/** The line of npm's output that says why, without its log-file footer. */
function reason(output) {
  const lines = output
    .split('\n')
    .map((l) => l.replace(/^npm (error|ERR!) ?/, '').trim())
    .filter((l) => l && !/complete log of this run|^A complete log|^\d{4}-\d\d-\d\dT/.test(l));
  return (
    lines.find((l) => /^(code )?E[A-Z0-9]+|40[0-9]|refus|forbidden|denied/i.test(l)) ??
    lines[0] ??
    'no output'
  );
}

let options;
try {
  options = parseArgs({
    options: {
      registry: { type: 'string' },
      tag: { type: 'string', default: 'latest' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (err) {
  fail(err.message, 'npm run release -- --registry <url> [--tag <dist-tag>] [--no-build]');
}
if (options.help) {
  console.log('npm run release -- --registry <url> [--tag <dist-tag>] [--no-build]');
  process.exit(0);
}

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
  fail(
    `Node ${process.versions.node} is too old; the packages need Node ${MIN_NODE.join('.')} or newer`,
    'source scripts/env.sh (puts the project’s Node 24 first on PATH)',
  );
}
if (!options.registry) {
  fail(
    '--registry is required (the release never guesses where to publish)',
    'npm run release -- --registry <url>',
  );
}
let registry;
try {
  registry = new URL(options.registry).href;
} catch {
  fail(`--registry ${options.registry} is not a URL`, 'give the registry as http(s)://host[:port]/');
}
const npmEnv = { ...process.env, npm_config_registry: registry, npm_config_update_notifier: 'false' };

const packages = PUBLISHED.map((dir) => {
  const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  return { dir, name: manifest.name, version: manifest.version };
});
const width = Math.max(...packages.map((p) => `${p.name}@${p.version}`.length));
const line = (p, what) => console.log(`  ${`${p.name}@${p.version}`.padEnd(width)}  ${what}`);

// 1. Build and pack every package before anything is published.
if (!options['no-build']) {
  console.log('building');
  const built = run('npx', ['turbo', 'run', 'build', ...packages.flatMap((p) => ['--filter', p.name])], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (!built.ok)
    fail(`the build failed: ${reason(built.out + built.err)}`, 'npm run build, and fix what it reports');
}
const packed = mkdtempSync(join(tmpdir(), 'switchboard-release-'));
process.on('exit', () => rmSync(packed, { recursive: true, force: true }));
console.log('packing');
for (const p of packages) {
  const before = new Set(readdirSync(packed));
  const result = run('pnpm', ['pack', '--pack-destination', packed], { cwd: join(root, p.dir) });
  const tarball = readdirSync(packed).find((f) => !before.has(f) && f.endsWith('.tgz'));
  if (!result.ok || tarball === undefined)
    fail(`pnpm pack of ${p.name} failed: ${reason(result.out + result.err)}`);
  p.tarball = join(packed, tarball);
  line(p, 'packed');
}

// 2. Ask the registry before publishing anything.
const whoami = run('npm', ['whoami', '--registry', registry], { env: npmEnv });
if (!whoami.ok) {
  fail(
    `${registry} does not know us: ${reason(whoami.err)}`,
    `npm login --registry ${registry} (or set //<host>/:_authToken in .npmrc)`,
  );
}
console.log(`publishing to ${registry} as ${whoami.out.trim()} (dist-tag ${options.tag})`);
for (const p of packages) {
  const view = run('npm', ['view', `${p.name}@${p.version}`, 'version', '--registry', registry], {
    env: npmEnv,
  });
  p.published = view.ok && view.out.trim() === p.version;
}

// 3. Publish, dependencies first.
let count = 0;
for (const p of packages) {
  if (p.published) {
    line(p, 'already published, skipped');
    continue;
  }
  const result = run(
    'npm',
    ['publish', p.tarball, '--registry', registry, '--tag', options.tag, '--access', 'public'],
    { env: npmEnv },
  );
  if (!result.ok) {
    const done =
      count > 0 ? ` (${count} published before it stay; running the release again skips them)` : '';
    fail(
      `${registry} refused ${p.name}@${p.version}: ${reason(result.err + result.out)}${done}`,
      'fix the cause, then run the same command again',
    );
  }
  count += 1;
  line(p, 'published');
}
console.log(`${count} published, ${packages.length - count} already there`);
console.log(`next: npm install @switchboard/cli --registry ${registry}`);
