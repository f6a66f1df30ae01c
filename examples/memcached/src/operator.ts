// The operator as `switchboard crd` and `switchboard rbac` read it: the
// resources it defines (CRDs) and the controllers it runs (RBAC is derived
// from what they watch, own and write). Extra permissions go in `rbac.rules`.
import type { ControllerHost } from '@switchboard/core';

import { MemcachedResource } from './api.js';
import { addMemcachedController } from './controller.js';

export const operator = {
  /** Name of the ClusterRole, ServiceAccount and Deployment. */
  name: 'memcached-operator',
  resources: [MemcachedResource],
  controllers(host: ControllerHost): void {
    addMemcachedController(host);
  },
  rbac: { leaderElection: true, rules: [] },
};
