// What npm shows and installs of each package we publish: the licence the
// package declares, where it comes from, and a README whose links work from
// the npm page (no path into the repository, which is not shipped).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
const REPOSITORY = 'https://github.com/switchboard-dev/switchboard';
const PUBLISHED = [
  'packages/core',
  'packages/testing',
  'packages/cli',
  'operators/etcd',
  'operators/prometheus',
];

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  license?: string;
  private?: boolean;
  files?: string[];
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  publishConfig?: { access?: string };
}

const manifest = (dir: string): PackageJson =>
  JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as PackageJson;

describe.each(PUBLISHED)('%s as published', (dir) => {
  const pkg = manifest(dir);

  it('ships the Apache-2.0 licence it declares', () => {
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.private).toBeUndefined();
    expect(pkg.files).toContain('LICENSE');
    expect(readFileSync(join(root, dir, 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(root, 'LICENSE'), 'utf8'),
    );
  });

  it('says where it comes from, and is public under its scope', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: dir });
    expect(pkg.homepage).toBe(`${REPOSITORY}/tree/main/${dir}#readme`);
    expect(pkg.publishConfig?.access).toBe('public');
  });

  it('has a README whose links resolve from the npm page', () => {
    const readme = readFileSync(join(root, dir, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
    for (const link of links) {
      if (link.startsWith('#')) continue;
      // A relative link reaches only what the package ships.
      if (!/^[a-z]+:/.test(link)) {
        const shipped = (pkg.files ?? []).some((f) => link === f || link.startsWith(`${f}/`));
        expect({ link, shipped }).toEqual({ link, shipped: true });
        continue;
      }
      // A link into the repository names a file that exists there.
      const inRepo = new RegExp(`^${REPOSITORY}/(?:blob|tree)/main/([^#]*)`).exec(link);
      if (inRepo)
        expect({ link, exists: existsSync(join(root, inRepo[1] ?? '')) }).toEqual({ link, exists: true });
    }
  });

  it('ships the sources its declaration and source maps point at, and no tests', () => {
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: join(root, dir),
      encoding: 'utf8',
      env: process.env,
    });
    expect(pack.status).toBe(0);
    const files = new Set(
      (JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path),
    );
    const maps = [...files].filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const unresolved: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(root, dir, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const path = normalize(join(dirname(map), source));
        if (!files.has(path)) unresolved.push(`${map} -> ${path}`);
      }
    }
    expect(unresolved).toEqual([]);
    expect([...files].filter((f) => /\.test\.|(^|\/)test\//.test(f))).toEqual([]);
  });
});

describe('dependencies a user installs', () => {
  const byName = new Map(PUBLISHED.map((dir) => [manifest(dir).name, manifest(dir)]));
  /** Registry packages `npm install <name>` brings in from our packages' `dependencies`, transitively through ours. */
  const installs = (name: string, seen = new Set<string>()): Set<string> => {
    const pkg = byName.get(name);
    if (pkg === undefined || seen.has(name)) return seen;
    seen.add(name);
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      if (byName.has(dep)) installs(dep, seen);
      else seen.add(dep);
    }
    return seen;
  };

  it('has the CLI bring neither the AWS SDK nor a second client-node or core', () => {
    const deps = [...installs('@switchboard/cli')];
    expect(deps.filter((d) => d.startsWith('@aws-sdk/'))).toEqual([]);
    expect(deps).not.toContain('@kubernetes/client-node');
    expect(deps).not.toContain('@switchboard/core');
  });

  it('has the core, testing and the CLI take client-node (whose KubeConfig is in their API) as a peer', () => {
    for (const name of ['@switchboard/core', '@switchboard/testing', '@switchboard/cli'])
      expect({ name, peer: byName.get(name)?.peerDependencies?.['@kubernetes/client-node'] }).toEqual({
        name,
        peer: '^2.0.1',
      });
    for (const name of ['@switchboard/testing', '@switchboard/cli'])
      expect({ name, peer: byName.get(name)?.peerDependencies?.['@switchboard/core'] }).toEqual({
        name,
        peer: 'workspace:^',
      });
  });

  it('keeps the AWS SDK an optional peer of testing (only its object store needs it)', () => {
    const testing = byName.get('@switchboard/testing');
    expect(testing?.peerDependencies?.['@aws-sdk/client-s3']).toBeDefined();
    expect(testing?.peerDependenciesMeta?.['@aws-sdk/client-s3']?.optional).toBe(true);
  });
});
