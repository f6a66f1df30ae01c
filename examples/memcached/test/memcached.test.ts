// The builder-style Memcached operator against the real API server.
import { addMemcachedController } from '../src/controller.js';
import { describeMemcachedOperator } from './support/operator-suite.js';

describeMemcachedOperator('builder', (host) => {
  addMemcachedController(host);
});
