// The operator as `switchboard crd` and `switchboard rbac` read it: the
// resources it defines (config/crd/) and the controllers it runs, from whose
// for/owns/watches calls and EventRecorder the ClusterRole in config/rbac/ is
// derived. It needs nothing beyond that: every write goes to a kind it
// reconciles (status included) or owns.
import type { Manager } from '@switchboard/core';

import { EtcdClusterResource } from './api/crd.js';
import { addEtcdController } from './controller/etcd-controller.js';

/** What the etcd operator defines, runs and is allowed to do. */
export const operator = {
  /** Name of the ClusterRole, ServiceAccount and Deployment. */
  name: 'etcd-operator',
  resources: [EtcdClusterResource],
  controllers(manager: Manager): void {
    addEtcdController(manager);
  },
  rbac: { leaderElection: true, rules: [] },
};
