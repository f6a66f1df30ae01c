// Builds the controller-runtime subject (bench/go) once per change of its
// sources: the binary lives in the cache folder under a hash of go.mod, go.sum
// and the .go files, so a second `npm run bench` starts at once.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The cache folder: $SWITCHBOARD_CACHE, else $XDG_CACHE_HOME/switchboard, else ~/.cache/switchboard. */
export function cacheFolder(): string {
  return (
    process.env.SWITCHBOARD_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'switchboard')
  );
}

/** Hash of the Go program's sources (go.mod, go.sum, *.go), 16 hex digits. */
export async function goSourceHash(dir: string): Promise<string> {
  const files = (await readdir(dir))
    .filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'))
    .sort();
  const hash = createHash('sha256');
  for (const f of files)
    hash
      .update(f)
      .update('\0')
      .update(await readFile(join(dir, f)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** Returns the path of the built program, building it first when its sources changed. */
export async function buildGoSubject(dir: string, onProgress: (line: string) => void): Promise<string> {
  const out = join(cacheFolder(), 'bench', `controller-runtime-bench-${await goSourceHash(dir)}`);
  if (existsSync(out)) return out;
  await mkdir(join(cacheFolder(), 'bench'), { recursive: true });
  onProgress('building the controller-runtime subject (once per change of bench/go)');
  const tmp = `${out}.tmp-${process.pid}`;
  await run('go', ['build', '-trimpath', '-o', tmp, '.'], {
    cwd: dir,
    env: { ...process.env, CGO_ENABLED: '0' },
    maxBuffer: 16 * 1024 * 1024,
  });
  await rename(tmp, out);
  return out;
}
