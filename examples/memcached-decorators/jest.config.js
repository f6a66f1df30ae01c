import { join } from 'node:path';

import preset from '../../jest.preset.js';

export default {
  ...preset,
  displayName: 'example-memcached-decorators',
  rootDir: import.meta.dirname,
  moduleNameMapper: {
    '^@switchboard/example-memcached$': join(import.meta.dirname, '../memcached/src/index.ts'),
    ...preset.moduleNameMapper,
  },
};
