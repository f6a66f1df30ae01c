// The decorator-style Memcached operator against the real API server: the
// very suite the builder-style example passes, so both styles are shown to
// behave the same.
import { join } from 'node:path';

import { describeMemcachedOperator } from '../../memcached/test/support/operator-suite.js';
import { addMemcachedController } from '../src/controller.js';

describeMemcachedOperator('decorators', join(import.meta.dirname, '..', 'config', 'rbac'), (host) => {
  addMemcachedController(host);
});
