// A workspace package as an image takes it: what `pnpm deploy --prod` lays
// out (the package's published files, i.e. its built `dist/`, and its
// production dependencies, workspace ones as their built JavaScript). A deploy
// is cached under a digest of everything it is made from (the published files
// of the package and of each workspace package it depends on, and the
// lockfile), so an unchanged package costs one digest, and a rebuilt one a
// new deploy and so a new image.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { parse } from 'yaml';

import { cacheDir, MissingBinaryError } from '../control-plane/paths.js';
import { ImageBuildError } from './image-build-error.js';
import { CommandError, run } from '../node/command.js';
import { treeDigest } from './tree.js';

/** A package of the workspace. */
export interface WorkspacePackage {
  readonly name: string;
  /** Its folder, absolute. */
  readonly dir: string;
  /** `dependencies` (production only), by name. */
  readonly dependencies: Readonly<Record<string, string>>;
  /** `files` of its package.json: what it publishes; undefined publishes the whole folder. */
  readonly files?: readonly string[];
}

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  files?: string[];
}

/** Every package of the pnpm workspace at `repoRoot`, by name (patterns `dir` and `dir/*`). */
export async function workspacePackages(repoRoot: string): Promise<Map<string, WorkspacePackage>> {
  const manifest = parse(await readFile(join(repoRoot, 'pnpm-workspace.yaml'), 'utf8')) as {
    packages?: string[];
  };
  const dirs: string[] = [];
  for (const pattern of manifest.packages ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = join(repoRoot, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const name of (await readdir(parent)).sort()) dirs.push(join(parent, name));
    } else if (!/[*?{[]/.test(pattern)) dirs.push(join(repoRoot, pattern));
    else throw new Error(`pnpm-workspace.yaml: pattern ${pattern} is not supported here (use dir or dir/*)`);
  }
  const out = new Map<string, WorkspacePackage>();
  for (const dir of dirs) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(await readFile(file, 'utf8')) as PackageJson;
    if (!pkg.name) continue;
    out.set(pkg.name, {
      name: pkg.name,
      dir,
      dependencies: pkg.dependencies ?? {},
      ...(pkg.files ? { files: pkg.files } : {}),
    });
  }
  return out;
}

/** The package and every workspace package it needs at run time (production `workspace:` dependencies, transitively), sorted by name. */
export function productionClosure(
  packages: ReadonlyMap<string, WorkspacePackage>,
  name: string,
): WorkspacePackage[] {
  const seen = new Map<string, WorkspacePackage>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    const pkg = packages.get(n);
    if (!pkg) throw new Error(`${n} is not a package of this workspace`);
    seen.set(n, pkg);
    for (const [dep, range] of Object.entries(pkg.dependencies))
      if (range.startsWith('workspace:')) visit(dep);
  };
  visit(name);
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A digest of what a deploy of `name` is made from: the lockfile, and for the
 * package and each workspace package in its production closure, package.json
 * and the published files. Throws {@link MissingBinaryError} when a published
 * entry is missing (a package not built yet).
 */
export async function deployInputsDigest(repoRoot: string, name: string): Promise<string> {
  const packages = await workspacePackages(repoRoot);
  const hash = createHash('sha256');
  hash.update(await readFile(join(repoRoot, 'pnpm-lock.yaml')));
  for (const pkg of productionClosure(packages, name)) {
    hash.update(`package ${pkg.name}\n`).update(await readFile(join(pkg.dir, 'package.json')));
    for (const entry of pkg.files ?? ['.']) {
      // An exclusion (`!src/**/*.test.ts`) only narrows what a folder entry
      // ships: hashing the whole folder may rebuild more often, never less.
      if (entry.startsWith('!')) continue;
      if (/[*?{[]/.test(entry)) throw new Error(`${pkg.name}: glob "files" entries are not supported here`);
      const path = join(pkg.dir, entry);
      if (!existsSync(path)) {
        // A README may be absent; a missing dist means the package was not built.
        if (/^readme|^license/i.test(entry)) continue;
        throw new MissingBinaryError(`${pkg.name}'s ${entry}`, path);
      }
      const s = await lstat(path);
      hash.update(`entry ${entry}\n`);
      if (s.isDirectory()) hash.update(await treeDigest(path, { skip: ['node_modules'] }));
      else hash.update(await readFile(path));
    }
  }
  return hash.digest('hex');
}

/** Deploys of other inputs kept beside the current one (other checkouts may use them). */
const KEPT_OLDER_DEPLOYS = 3;

/** Where deploys of `name` are cached: one folder per inputs digest. */
export function deployCacheDir(name: string): string {
  return join(cacheDir(), 'images', 'deploy', name.replace(/^@/, '').replace(/\//g, '+'));
}

/** pnpm: the project's own (bootstrap installs it under .tools), else the one on PATH. */
function pnpmCommand(repoRoot: string): string {
  const local = join(repoRoot, '.tools', 'pnpm', 'node_modules', '.bin', 'pnpm');
  return existsSync(local) ? local : 'pnpm';
}

/**
 * The folder holding `pnpm deploy --prod` of the workspace package `name`,
 * deployed now unless a deploy of the same inputs is cached. Older deploys of
 * the package are removed. Runs pnpm offline: the workspace's install has
 * every dependency in the store already. Throws {@link ImageBuildError} when
 * pnpm cannot make the deploy.
 */
export async function deployWorkspacePackage(repoRoot: string, name: string): Promise<string> {
  const digest = (await deployInputsDigest(repoRoot, name)).slice(0, 16);
  const parent = deployCacheDir(name);
  const out = join(parent, digest);
  if (existsSync(join(out, 'package.json'))) return out;
  await mkdir(parent, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  try {
    // Not --legacy: a legacy deploy resolves the workspace dependencies'
    // version ranges again, which offline needs registry metadata that a
    // frozen-lockfile install never caches (ERR_PNPM_NO_OFFLINE_META on a new
    // machine), and online could pick versions the lockfile does not hold. A
    // deploy of injected workspace packages takes every version from the
    // lockfile and every file from the store; the setting is given to this
    // command only, so the workspace's own install keeps its symlinks.
    await run(
      pnpmCommand(repoRoot),
      ['--config.inject-workspace-packages=true', '--filter', name, 'deploy', '--prod', '--offline', tmp],
      { cwd: repoRoot, timeoutMs: 300_000 },
    );
    // Concurrent `cluster up`s deploy the same inputs: the first rename wins
    // and the others keep its folder, never replacing one being copied from.
    if (!existsSync(join(out, 'package.json'))) {
      await rm(out, { recursive: true, force: true });
      await rename(tmp, out).catch((err: unknown) => {
        if (!existsSync(join(out, 'package.json'))) throw err;
      });
    }
  } catch (err) {
    // A deploy that fails is a fault to fix, not an input still to build: an
    // image skipped here left the demo and every deployed-operator test
    // waiting on an image pull that could never succeed.
    if (!(err instanceof CommandError)) throw err;
    const why =
      err.exitCode === 'ENOENT'
        ? 'pnpm not found: install the version package.json names (corepack, or npm install -g pnpm)'
        : // pnpm prints its error line (ERR_PNPM_..., or ERROR) on stdout.
          (`${err.stdout}\n${err.stderr}`
            .split('\n')
            .find((l) => /ERR_PNPM_|\bERROR\b/.test(l))
            ?.trim() ?? err.stderr.trim().split('\n').slice(-1)[0]);
    throw new ImageBuildError(name, `pnpm deploy of ${name} failed: ${why ?? `exit code ${err.exitCode}`}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  // Older deploys go, but not the few newest: another checkout (a git
  // worktree, a branch) may be building an image from one right now.
  const others = await Promise.all(
    (await readdir(parent))
      .filter((d) => d !== digest && !d.includes('.tmp-'))
      .map(async (d) => ({ d, mtimeMs: (await lstat(join(parent, d))).mtimeMs })),
  );
  others.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { d } of others.slice(KEPT_OLDER_DEPLOYS))
    await rm(join(parent, d), { recursive: true, force: true });
  return out;
}
