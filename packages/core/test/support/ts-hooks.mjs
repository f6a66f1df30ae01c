// Module hooks that let a plain `node` process run this repo's TypeScript
// sources, the way jest does: swc strips the types (decorators included),
// `./x.js` imports resolve to `./x.ts`, and workspace packages resolve to
// their sources. Used to spawn managers as child processes in integration
// tests (leader election, SIGTERM), where a jest worker cannot be killed.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from '@swc/core';
import preset from '../../../../jest.preset.js';

// The same swc settings jest uses, so a spawned process sees the code jest sees.
const swcOptions = preset.transform['^.+\\.ts$'][1];

// Workspace packages map to their sources exactly as jest maps them.
const workspace = Object.fromEntries(
  Object.entries(preset.moduleNameMapper)
    .map(([pattern, target]) => [/^\^(@switchboard\/[a-z-]+)\$$/.exec(pattern)?.[1], target])
    .filter(([name]) => name !== undefined),
);

export async function resolve(specifier, context, next) {
  const mapped = workspace[specifier];
  if (mapped !== undefined) return { url: pathToFileURL(mapped).href, shortCircuit: true };
  if (
    specifier.endsWith('.js') &&
    (specifier.startsWith('.') || specifier.startsWith('/')) &&
    context.parentURL
  ) {
    const ts = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
    if (existsSync(fileURLToPath(ts))) return { url: ts.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = await readFile(fileURLToPath(url), 'utf8');
  const out = await transform(source, { ...swcOptions, filename: fileURLToPath(url) });
  return { format: 'module', source: out.code, shortCircuit: true };
}
