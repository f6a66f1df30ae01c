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

/** @type {import('jest').Config} */
export default {
  projects,
  globalSetup: '<rootDir>/packages/testing/jest/global-setup.js',
  globalTeardown: '<rootDir>/packages/testing/jest/global-teardown.js',
  testTimeout: 120_000,
};
