// Generated manifests are written by a command and checked in `npm test`:
// `--check` compares each committed file with what the code yields now, as
// parsed YAML, so comments and formatting never make a file stale.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { parseAllDocuments } from 'yaml';

/** A generated file, relative to its output folder. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/** Why a committed file differs from the generated one. */
export interface StaleFile {
  path: string;
  problem: 'missing' | 'differs';
}

function documents(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null && d !== undefined);
}

/** The files under `dir` that are missing or differ from `files`. */
export function staleFiles(dir: string, files: readonly GeneratedFile[]): StaleFile[] {
  return files.flatMap((f): StaleFile[] => {
    const path = join(dir, f.path);
    if (!existsSync(path)) return [{ path, problem: 'missing' }];
    return isDeepStrictEqual(documents(readFileSync(path, 'utf8')), documents(f.content))
      ? []
      : [{ path, problem: 'differs' }];
  });
}

/** Writes `files` under `dir`; returns the paths written. */
export function writeFiles(dir: string, files: readonly GeneratedFile[]): string[] {
  return files.map((f) => {
    const path = join(dir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    return path;
  });
}
