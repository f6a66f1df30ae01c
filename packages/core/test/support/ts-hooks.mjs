// Module hooks that let a plain `node` process run this repo's TypeScript
// sources, the way jest does: swc strips the types (decorators included),
// `./x.js` imports resolve to `./x.ts`, and workspace packages resolve to
// their sources. Used to spawn managers as child processes in integration
// tests (leader election, SIGTERM), where a jest worker cannot be killed.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from '@swc/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const workspace = {
  '@switchboard/core': 'packages/core/src/index.ts',
  '@switchboard/testing': 'packages/testing/src/index.ts',
};

export async function resolve(specifier, context, next) {
  const mapped = workspace[specifier];
  if (mapped !== undefined) return { url: pathToFileURL(join(root, mapped)).href, shortCircuit: true };
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
  const out = await transform(source, {
    filename: fileURLToPath(url),
    jsc: {
      target: 'es2023',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  });
  return { format: 'module', source: out.code, shortCircuit: true };
}
