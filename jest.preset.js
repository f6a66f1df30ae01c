// The one jest preset every package uses. Sources are TypeScript ESM and some
// dependencies (@kubernetes/client-node) are ESM-only, so jest runs in native
// ESM mode (node --experimental-vm-modules) and swc strips the types without
// the TypeScript compiler API (typechecking is `tsc`'s job, not jest's).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2023',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          keepClassNames: true,
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: {
    // Workspace packages resolve to their sources, so tests never need a build.
    '^@switchboard/core$': join(root, 'packages/core/src/index.ts'),
    '^@switchboard/core/decorators$': join(root, 'packages/core/src/decorators/index.ts'),
    '^@switchboard/testing$': join(root, 'packages/testing/src/index.ts'),
    '^@switchboard/cli$': join(root, 'packages/cli/src/index.ts'),
    '^@switchboard/etcd-operator$': join(root, 'operators/etcd/src/index.ts'),
    '^@switchboard/prometheus-operator$': join(root, 'operators/prometheus/src/index.ts'),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};
