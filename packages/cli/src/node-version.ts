// The oldest Node the packages run on. @kubernetes/client-node's HTTP client
// (undici 8) needs 22.19 (zstd decompression); on an older Node the first
// import fails with a TypeError deep inside it, so the command checks first.
// The figure lives in one place, this package's `engines.node` (`>=X.Y.Z`),
// which every published package repeats (a test keeps them equal).
import { readFileSync } from 'node:fs';

/** The oldest Node version the Switchboard packages run on: this package's `engines.node`. */
export const MIN_NODE_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    engines: { node: string };
  }
).engines.node.replace(/^>=/, '');

function parts(version: string): number[] {
  return version
    .replace(/^v/, '')
    .split('.')
    .map((p) => Number.parseInt(p, 10) || 0);
}

/** One line saying that `version` is too old and what to do, or undefined when it will do. */
export function nodeVersionProblem(version: string, minimum = MIN_NODE_VERSION): string | undefined {
  const [a = 0, b = 0, c = 0] = parts(version);
  const [x = 0, y = 0, z = 0] = parts(minimum);
  const ok = a !== x ? a > x : b !== y ? b > y : c >= z;
  return ok
    ? undefined
    : `Node ${version.replace(/^v/, '')} is too old: Switchboard needs Node ${minimum} or newer (Node 24 recommended); install it, put it first on PATH, and run the command again`;
}
