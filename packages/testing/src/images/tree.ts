// Directory trees as image content: a digest that changes exactly when what
// would land in the image changes (paths, file contents, modes, symlink
// targets; never timestamps), and a copy that keeps symlinks as symlinks, so
// a pnpm node_modules (a forest of relative links into .pnpm) stays intact.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

import { run } from '../node/command.js';

/** What to leave out of a walk. */
export interface TreeOptions {
  /** Entry names skipped at any depth, with everything under them (e.g. `node_modules`). */
  readonly skip?: readonly string[];
}

/** Paths under `dir` (relative, `/`-separated), every entry at every depth, sorted. */
export async function treeEntries(dir: string, options: TreeOptions = {}): Promise<string[]> {
  const out: string[] = [];
  const skip = new Set(options.skip ?? []);
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(dir, rel))).sort();
    for (const name of names) {
      if (skip.has(name)) continue;
      const path = rel ? `${rel}/${name}` : name;
      out.push(path);
      if ((await lstat(join(dir, path))).isDirectory()) await walk(path);
    }
  };
  await walk('');
  return out;
}

/**
 * A sha256 over everything an image would take from `dir`: each entry's
 * relative path, type and permission bits, and a file's content or a
 * symlink's target. Timestamps and owners are left out (the image builder
 * sets both), so the same tree built twice has the same digest.
 */
export async function treeDigest(dir: string, options: TreeOptions = {}): Promise<string> {
  const hash = createHash('sha256');
  for (const path of await treeEntries(dir, options)) {
    const full = join(dir, path);
    const s = await lstat(full);
    const mode = (s.mode & 0o7777).toString(8);
    if (s.isSymbolicLink()) hash.update(`l ${path} -> ${await readlink(full)}\n`);
    else if (s.isDirectory()) hash.update(`d ${path} ${mode}\n`);
    else if (s.isFile()) {
      hash.update(`f ${path} ${mode} ${s.size}\n`);
      hash.update(await readFile(full));
    } else hash.update(`? ${path}\n`);
  }
  return hash.digest('hex');
}

/** Copies the contents of `from` into the folder `to` (created if needed), keeping symlinks and modes. */
export async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  await run('cp', ['-a', `${from}/.`, to], { timeoutMs: 300_000 });
}
