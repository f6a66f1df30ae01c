// Assembles the catalog's images from local files and pushes them to the
// local registry with crane (go-containerregistry): one layer made with tar
// from a staged folder, then crane sets the config (entrypoint, user, env,
// workdir, platform) and copies the image to its other names. An image is
// rebuilt only when its inputs change (a fingerprint of the spec, of each
// source file's size and modification time, and of each tree's content).
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { cacheDir, MissingBinaryError } from '../control-plane/paths.js';
import { imageBinary } from '../node/binaries.js';
import { run } from '../node/command.js';
import { IMAGES, localRepository } from './catalog.js';
import type { FileSource, ImageFile, ImageSpec, TreeSource } from './catalog.js';
import { startRegistry } from './registry.js';
import { copyTree } from './tree.js';
import { deployWorkspacePackage } from './workspace-package.js';

export interface BuildImagesOptions {
  /** Which images; default the whole catalog. */
  readonly images?: readonly ImageSpec[];
  /** Rebuild even when the inputs did not change. */
  readonly force?: boolean;
  /** Registry storage folder; default the cache's. */
  readonly storageDir?: string;
  /** Repository root, for `go` sources. Default: found from this file. */
  readonly repoRoot?: string;
  readonly onProgress?: (line: string) => void;
}

/** What {@link buildImages} did, by image name. */
export interface BuildImagesResult {
  readonly built: readonly string[];
  readonly upToDate: readonly string[];
  /** Images whose inputs are missing (e.g. a binary not built yet), with the reason. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Builds the images and pushes them to the local registry. */
export async function buildImages(options: BuildImagesOptions = {}): Promise<BuildImagesResult> {
  const images = options.images ?? IMAGES;
  const progress = options.onProgress ?? (() => undefined);
  const repoRoot = options.repoRoot ?? checkoutRoot();
  const crane = imageBinary.crane();
  const work = await mkdtemp(join(tmpdir(), 'switchboard-images-'));
  const registry = await startRegistry({
    dir: work,
    ...(options.storageDir ? { storageDir: options.storageDir } : {}),
  });
  const built: string[] = [];
  const upToDate: string[] = [];
  const skipped: { name: string; reason: string }[] = [];
  try {
    for (const image of images) {
      let sources: Map<FileSource | TreeSource, string>;
      try {
        sources = await resolveSources(image, repoRoot);
      } catch (err) {
        if (!(err instanceof MissingBinaryError) && !(err instanceof NeedsCheckoutError)) throw err;
        skipped.push({ name: image.name, reason: err.message });
        progress(`${image.name}: skipped, ${err.message}`);
        continue;
      }
      const fingerprint = await fingerprintOf(image, sources);
      const stampFile = join(cacheDir(), 'images', 'stamps', `${image.name}.json`);
      const local = (ref: string) => {
        const { repository, tag } = localRepository(ref);
        return `${registry.address}/${repository}:${tag}`;
      };
      if (
        !options.force &&
        (await stampMatches(stampFile, fingerprint)) &&
        (await allPresent(crane, image.references.map(local)))
      ) {
        upToDate.push(image.name);
        continue;
      }
      const started = Date.now();
      const dir = join(work, image.name);
      await stage(image, sources, join(dir, 'root'));
      const layer = join(dir, 'layer.tar');
      await run('tar', [
        '--sort=name',
        '--mtime=@0',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '-C',
        join(dir, 'root'),
        '-cf',
        layer,
        '.',
      ]);
      const [first, ...others] = image.references.map(local);
      if (!first) throw new Error(`image ${image.name} has no references`);
      await run(crane, ['append', '--insecure', '--oci-empty-base', '-f', layer, '-t', first]);
      await run(crane, ['mutate', '--insecure', first, '-t', first, ...configFlags(image)]);
      for (const other of others) await run(crane, ['copy', '--insecure', first, other]);
      const digest = (await run(crane, ['digest', '--insecure', first])).trim();
      await mkdir(dirname(stampFile), { recursive: true });
      await writeFile(
        stampFile,
        JSON.stringify({ fingerprint, digest, references: image.references }, null, 2) + '\n',
      );
      await rm(dir, { recursive: true, force: true });
      built.push(image.name);
      progress(
        `${image.name}: built and pushed in ${((Date.now() - started) / 1000).toFixed(1)} s (${image.references.join(', ')})`,
      );
    }
  } finally {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  }
  return { built, upToDate, skipped };
}

/** crane mutate flags for an image's config. crane splits list flags on commas, so arguments must not hold one. */
export function configFlags(image: ImageSpec): string[] {
  const flags = ['--set-platform', 'linux/amd64'];
  for (const arg of [...(image.entrypoint ?? []), ...(image.cmd ?? [])]) {
    if (arg.includes(','))
      throw new Error(`image ${image.name}: entrypoint and cmd arguments cannot contain a comma: ${arg}`);
  }
  for (const arg of image.entrypoint ?? []) flags.push(`--entrypoint=${arg}`);
  for (const arg of image.cmd ?? []) flags.push(`--cmd=${arg}`);
  flags.push('--user', image.user ?? '0:0');
  flags.push('--workdir', image.workdir ?? '/');
  const env = { PATH: BASE_PATH, ...image.env };
  for (const [k, v] of Object.entries(env)) flags.push('--env', `${k}=${v}`);
  return flags;
}

async function stampMatches(file: string, fingerprint: string): Promise<boolean> {
  try {
    return (JSON.parse(await readFile(file, 'utf8')) as { fingerprint?: string }).fingerprint === fingerprint;
  } catch {
    return false;
  }
}

async function allPresent(crane: string, refs: readonly string[]): Promise<boolean> {
  for (const ref of refs) {
    try {
      await run(crane, ['digest', '--insecure', ref], { timeoutMs: 10_000 });
    } catch {
      return false;
    }
  }
  return true;
}

function sourceOf(file: ImageFile): FileSource | TreeSource | undefined {
  if ('source' in file) return file.source;
  if ('busybox' in file) return file.busybox;
  if ('tree' in file) return file.tree;
  return undefined;
}

/** Resolves each source to a host path (building Go programs, deploying packages); throws MissingBinaryError. */
/** An image built from this repository's own sources (an operator, a test program), outside a checkout. */
export class NeedsCheckoutError extends Error {
  readonly reason = 'NeedsCheckout';
  constructor(readonly source: string) {
    super(`built from ${source} in a Switchboard checkout; this package is installed, not in one`);
    this.name = 'NeedsCheckoutError';
  }
}

async function resolveSources(
  image: ImageSpec,
  repoRoot: string | undefined,
): Promise<Map<FileSource | TreeSource, string>> {
  const out = new Map<FileSource | TreeSource, string>();
  for (const file of image.files) {
    const source = sourceOf(file);
    if (!source) continue;
    out.set(source, await resolveSource(source, repoRoot));
  }
  return out;
}

async function resolveSource(source: FileSource | TreeSource, repoRoot: string | undefined): Promise<string> {
  switch (source.kind) {
    case 'node':
      return repoRoot === undefined ? realpathSync(process.execPath) : projectNode(repoRoot);
    case 'workspace-package':
      if (repoRoot === undefined) throw new NeedsCheckoutError(source.package);
      // Content-addressed: the folder's name is a digest of what it was deployed from.
      return deployWorkspacePackage(repoRoot, source.package);
    case 'cache': {
      const path = join(cacheDir(), source.component, source.version, 'bin', source.name);
      if (!existsSync(path)) throw new MissingBinaryError(source.name, path);
      return path;
    }
    case 'host':
      if (!existsSync(source.path)) throw new MissingBinaryError(source.path, source.path);
      return source.path;
    case 'go':
      if (repoRoot === undefined) throw new NeedsCheckoutError(source.dir);
      return buildGoProgram(join(repoRoot, source.dir));
  }
}

/** The project's Node: bootstrap's under .tools/ when there is one, else the Node running this build. */
export function projectNode(repoRoot: string): string {
  const tools = join(repoRoot, '.tools', 'node', 'bin', 'node');
  return realpathSync(existsSync(tools) ? tools : process.execPath);
}

/** Builds a Go program of this repository once per source content; returns the binary. */
async function buildGoProgram(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(dir)).sort()) {
    if (name.endsWith('.go') || name === 'go.mod' || name === 'go.sum') {
      hash.update(name).update(await readFile(join(dir, name)));
    }
  }
  const out = join(cacheDir(), 'images', 'go', hash.digest('hex').slice(0, 16), 'program');
  if (existsSync(out)) return out;
  await mkdir(dirname(out), { recursive: true });
  await run('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', `${out}.tmp`, '.'], {
    cwd: dir,
    env: { CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
    timeoutMs: 600_000,
  });
  await run('mv', [`${out}.tmp`, out]);
  return out;
}

async function fingerprintOf(
  image: ImageSpec,
  sources: Map<FileSource | TreeSource, string>,
): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(image));
  for (const path of sources.values()) {
    const s = await stat(path);
    hash.update(`${path}:${s.size}:${s.mtimeMs}`);
  }
  return hash.digest('hex');
}

/** The shared libraries (and loader) a dynamically linked program needs, as `ldd` lists them. */
export async function sharedLibraries(program: string): Promise<string[]> {
  let out: string;
  try {
    out = await run('ldd', [program]);
  } catch {
    return []; // "not a dynamic executable"
  }
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

function userLines(user: string | undefined): { passwd: string; group: string } {
  const passwd = [
    'root:x:0:0:root:/root:/bin/sh',
    'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin',
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin',
  ];
  const group = ['root:x:0:', 'nogroup:x:65534:', 'nonroot:x:65532:'];
  const [uid, gid] = (user ?? '0:0').split(':');
  if (uid && !['0', '65534', '65532'].includes(uid))
    passwd.push(`user${uid}:x:${uid}:${gid ?? uid}::/nonexistent:/sbin/nologin`);
  if (gid && !['0', '65534', '65532'].includes(gid)) group.push(`group${gid}:x:${gid}:`);
  return { passwd: passwd.join('\n') + '\n', group: group.join('\n') + '\n' };
}

/** Lays out the image's file system under `root`. */
async function stage(
  image: ImageSpec,
  sources: Map<FileSource | TreeSource, string>,
  root: string,
): Promise<void> {
  const at = (p: string) => join(root, p);
  const put = async (path: string, from: string, mode?: number) => {
    await mkdir(dirname(at(path)), { recursive: true });
    await copyFile(from, at(path));
    if (mode !== undefined) await chmod(at(path), mode);
  };
  for (const d of ['etc', 'root', 'home/nonroot', 'var', 'proc', 'sys', 'dev', 'run'])
    await mkdir(at(d), { recursive: true });
  await mkdir(at('tmp'));
  await chmod(at('tmp'), 0o1777);
  const users = userLines(image.user);
  await writeFile(at('etc/passwd'), users.passwd);
  await writeFile(at('etc/group'), users.group);
  await writeFile(at('etc/nsswitch.conf'), 'hosts: files dns\n');
  const caBundle = '/etc/ssl/certs/ca-certificates.crt';
  if (existsSync(caBundle)) await put(caBundle, caBundle);

  for (const file of image.files) {
    if ('symlink' in file) {
      await mkdir(dirname(at(file.path)), { recursive: true });
      await symlink(file.symlink, at(file.path));
    } else if ('directory' in file) {
      await mkdir(at(file.path), { recursive: true });
      if (file.mode !== undefined) await chmod(at(file.path), file.mode);
    } else if ('content' in file) {
      await mkdir(dirname(at(file.path)), { recursive: true });
      await writeFile(at(file.path), file.content, { mode: file.mode ?? 0o644 });
    } else if ('tree' in file) {
      const from = sources.get(file.tree);
      if (!from) throw new Error(`unresolved source for ${file.path}`);
      await copyTree(from, at(file.path));
    } else if ('busybox' in file) {
      const from = sources.get(file.busybox);
      if (!from) throw new Error(`unresolved source for ${file.path}`);
      await put(file.path, from, 0o755);
      const applets = (await run(from, ['--list-full']))
        .split('\n')
        .filter((a) => a && `/${a}` !== file.path);
      for (const applet of applets) {
        if (existsSync(at(applet))) continue;
        await mkdir(dirname(at(applet)), { recursive: true });
        await symlink(file.path, at(applet));
      }
    } else {
      const from = sources.get(file.source);
      if (!from) throw new Error(`unresolved source for ${file.path}`);
      await put(file.path, from, file.mode ?? 0o755);
      if ((file.source.kind === 'host' && file.source.withLibraries) || file.source.kind === 'node') {
        for (const lib of await sharedLibraries(from)) if (!existsSync(at(lib))) await put(lib, lib, 0o755);
      }
    }
  }
}

/** The repository root: the nearest folder above this file with a pnpm-workspace.yaml. */
export function findRepoRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  const root = checkoutRoot(start);
  if (root === undefined) throw new Error(`no pnpm-workspace.yaml above ${start}`);
  return root;
}

/**
 * The Switchboard checkout this package runs from, or undefined when it was
 * installed from a registry into a project of its own (then the images built
 * from the repository's sources are skipped, and the rest are built).
 */
export function checkoutRoot(start = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = resolve(start);
  // Installed (even into a pnpm workspace of the user's own): not our checkout.
  if (dir.split(sep).includes('node_modules')) return undefined;
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return dir;
}
