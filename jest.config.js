// Runs every package's suites in one jest process, so one control plane
// (started by the global setup) serves them all and the totals are one line.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = import.meta.dirname;
// Every workspace folder that has a jest.config.js is a project.
const projects = ['packages', 'operators', 'examples', '.']
  .flatMap((group) =>
    group === '.'
      ? ['bench']
      : existsSync(join(root, group))
        ? readdirSync(join(root, group)).map((d) => join(group, d))
        : [],
  )
  .filter((dir) => existsSync(join(root, dir, 'jest.config.js')))
  .map((dir) => `<rootDir>/${dir}`);

// Operators run in-process by the suites log at warn unless LOG_LEVEL says
// otherwise (LOG_LEVEL=info npm test): their info lines would bury the test
// output. Set here, before jest forks its workers, so every worker inherits it.
process.env.LOG_LEVEL ??= 'warn';

/** @type {import('jest').Config} */
export default {
  projects,
  globalSetup: '<rootDir>/packages/testing/jest/global-setup.js',
  globalTeardown: '<rootDir>/packages/testing/jest/global-teardown.js',
  testTimeout: 120_000,
};
