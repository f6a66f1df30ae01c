// The builder-style Memcached operator against the real API server.
import { join } from 'node:path';

import { addMemcachedController } from '../src/controller.js';
import { describeMemcachedOperator } from './support/operator-suite.js';

describeMemcachedOperator('builder', join(import.meta.dirname, '..', 'config', 'rbac'), (host) => {
  addMemcachedController(host);
});
