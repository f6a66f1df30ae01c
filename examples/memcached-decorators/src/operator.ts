// The operator as `switchboard crd` and `switchboard rbac` read it; the same
// resources as the builder-style example, with the decorated controller.
import type { ControllerHost } from '@switchboard/core';
import { MemcachedResource } from '@switchboard/example-memcached';

import { addMemcachedController } from './controller.js';

export const operator = {
  name: 'memcached-operator',
  resources: [MemcachedResource],
  controllers(host: ControllerHost): void {
    addMemcachedController(host);
  },
  rbac: { leaderElection: true, rules: [] },
};
