import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MissingBinaryError } from '../control-plane/paths.js';
import { run } from '../node/command.js';
import { findRepoRoot, projectNode } from './build.js';
import { ImageBuildError } from './image-build-error.js';
import {
  deployInputsDigest,
  deployWorkspacePackage,
  productionClosure,
  workspacePackages,
} from './workspace-package.js';

let root: string;

async function pkg(dir: string, json: object, files: Record<string, string> = {}): Promise<void> {
  await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, dir, 'package.json'), JSON.stringify(json));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, dir, path, '..'), { recursive: true });
    await writeFile(join(root, dir, path), content);
  }
}

// A workspace like ours: an operator that needs the core at run time and a
// testing package only for its tests.
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'switchboard-ws-'));
  await writeFile(
    join(root, 'pnpm-workspace.yaml'),
    'packages:\n  - packages/*\n  - operators/*\n  - bench\n',
  );
  await writeFile(join(root, 'pnpm-lock.yaml'), 'lockfileVersion: 9.0\n');
  await pkg(
    'packages/core',
    { name: '@x/core', dependencies: { yaml: '^2.0.0' }, files: ['dist', 'README.md'] },
    { 'dist/index.js': 'export const core = 1;\n', 'src/index.ts': 'export const core = 1;\n' },
  );
  await pkg(
    'packages/testing',
    { name: '@x/testing', dependencies: { '@x/core': 'workspace:*' }, files: ['dist'] },
    { 'dist/index.js': '' },
  );
  await pkg(
    'operators/op',
    {
      name: '@x/op',
      dependencies: { '@x/core': 'workspace:*', yaml: '^2.0.0' },
      devDependencies: { '@x/testing': 'workspace:*' },
      files: ['dist'],
    },
    { 'dist/main.js': 'import "@x/core";\n', 'src/main.ts': '' },
  );
  await pkg('bench', { name: 'bench', private: true });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('workspacePackages', () => {
  it('finds the packages of dir/* and plain patterns', async () => {
    const packages = await workspacePackages(root);
    expect([...packages.keys()].sort()).toEqual(['@x/core', '@x/op', '@x/testing', 'bench']);
    expect(packages.get('@x/op')?.dir).toBe(join(root, 'operators', 'op'));
  });
});

describe('productionClosure', () => {
  it('takes workspace packages needed at run time, not dev dependencies or registry packages', async () => {
    const closure = productionClosure(await workspacePackages(root), '@x/op');
    expect(closure.map((p) => p.name)).toEqual(['@x/core', '@x/op']);
  });
  it('refuses a package outside the workspace', () => {
    expect(() => productionClosure(new Map(), '@x/nope')).toThrow(/not a package of this workspace/);
  });
  it('finds the core under the etcd operator of this repository', async () => {
    const closure = productionClosure(await workspacePackages(findRepoRoot()), '@switchboard/etcd-operator');
    expect(closure.map((p) => p.name)).toEqual(['@switchboard/core', '@switchboard/etcd-operator']);
  });
});

describe('deployInputsDigest', () => {
  it('changes when the built output of the package or of a workspace dependency changes', async () => {
    const seen = new Set([await deployInputsDigest(root, '@x/op')]);
    await writeFile(join(root, 'operators/op/dist/main.js'), 'import "@x/core"; // 2\n');
    seen.add(await deployInputsDigest(root, '@x/op'));
    await writeFile(join(root, 'packages/core/dist/index.js'), 'export const core = 2;\n');
    seen.add(await deployInputsDigest(root, '@x/op'));
    await writeFile(join(root, 'pnpm-lock.yaml'), 'lockfileVersion: 9.0\n# changed\n');
    seen.add(await deployInputsDigest(root, '@x/op'));
    expect(seen.size).toBe(4);
  });
  it('does not change with sources, dev dependencies or other packages', async () => {
    const before = await deployInputsDigest(root, '@x/op');
    await writeFile(join(root, 'operators/op/src/main.ts'), 'changed');
    await writeFile(join(root, 'packages/core/src/index.ts'), 'changed');
    await writeFile(join(root, 'packages/testing/dist/index.js'), 'changed');
    expect(await deployInputsDigest(root, '@x/op')).toBe(before);
  });
  it('says the package is not built when a published folder is missing', async () => {
    await rm(join(root, 'packages/core/dist'), { recursive: true });
    const err = await deployInputsDigest(root, '@x/op').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingBinaryError);
    expect((err as Error).message).toMatch(/@x\/core's dist/);
  });
});

describe('deployWorkspacePackage', () => {
  it("reports a deploy pnpm cannot make as a failed image build naming pnpm's error, not as an input to skip", async () => {
    const cache = process.env.SWITCHBOARD_CACHE;
    process.env.SWITCHBOARD_CACHE = join(root, 'cache');
    try {
      // Offline, pnpm cannot fetch a package its store has never held.
      await pkg('operators/op', {
        name: '@x/op',
        dependencies: { '@x/core': 'workspace:*', 'switchboard-test-absent-package': '^1.0.0' },
        files: ['dist'],
      });
      const err = await deployWorkspacePackage(root, '@x/op').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImageBuildError);
      expect((err as Error).message).toMatch(/pnpm deploy of @x\/op failed: .*(ERR_PNPM_|ERROR)/);
    } finally {
      if (cache === undefined) delete process.env.SWITCHBOARD_CACHE;
      else process.env.SWITCHBOARD_CACHE = cache;
    }
  });
});

describe('deployWorkspacePackage of this repository', () => {
  // The fault a new machine met: its frozen-lockfile install never fills
  // pnpm's metadata cache, and the deploy failed offline for want of it, so
  // no operator image existed. An empty cache stands for that machine here.
  it('deploys the etcd operator offline with an empty pnpm metadata cache, and the deploy runs', async () => {
    const saved = { cache: process.env.SWITCHBOARD_CACHE, meta: process.env.npm_config_cache_dir };
    const scratch = await mkdtemp(join(tmpdir(), 'switchboard-deploy-'));
    process.env.SWITCHBOARD_CACHE = join(scratch, 'cache');
    process.env.npm_config_cache_dir = join(scratch, 'pnpm-metadata');
    try {
      const out = await deployWorkspacePackage(findRepoRoot(), '@switchboard/etcd-operator');
      const help = await run(projectNode(findRepoRoot()), ['dist/main.js', '--help'], { cwd: out });
      expect(help).toMatch(/etcd-operator: runs the EtcdCluster and EtcdBackup controllers/);
      // The core came in as its built files, the way the lockfile pins its dependencies.
      const core = await run(
        projectNode(findRepoRoot()),
        [
          '--input-type=module',
          '-e',
          'import("@switchboard/core").then((m) => console.log(typeof m.Manager))',
        ],
        { cwd: out },
      );
      expect(core.trim()).toBe('function');
    } finally {
      for (const [key, value] of [
        ['SWITCHBOARD_CACHE', saved.cache],
        ['npm_config_cache_dir', saved.meta],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
