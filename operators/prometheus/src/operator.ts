// The operator as `switchboard crd` and `switchboard rbac` read it: the five
// kinds it defines (config/crd/) and the controllers it runs, from whose
// for/owns/watches calls the ClusterRole in config/rbac/ is derived. Every
// write is a server-side apply (create when new, else patch), so `writes:
// 'apply'`; the rules below are what the controllers do beyond that. The
// leader-election Lease lives in the operator's own namespace, so a namespaced
// Role grants it (config/rbac/leader-election-role.yaml), not this
// cluster-wide role.
import type { Manager } from '@switchboard/core';

import { MONITORING_GROUP } from './api/common.js';
import { addAlertmanagerController } from './controller/alertmanager-controller.js';
import { addPrometheusController } from './controller/prometheus-controller.js';
import { monitoringResources } from './crd/crds.js';

/** What the Prometheus operator defines, runs and is allowed to do. */
export const operator = {
  /** Name of the ClusterRole, ServiceAccount and Deployment. */
  name: 'prometheus-operator',
  resources: monitoringResources,
  controllers(manager: Manager): void {
    addPrometheusController(manager);
    addAlertmanagerController(manager);
  },
  rbac: {
    leaderElection: false,
    writes: 'apply' as const,
    rules: [
      // Rule ConfigMaps: surplus ones are deleted once their rules moved.
      { apiGroups: [''], resources: ['configmaps'], verbs: ['delete'] },
      // The governing Service of the StatefulSets, applied (only watched for deletion).
      { apiGroups: [''], resources: ['services'], verbs: ['create', 'patch'] },
      // Rules get an Accepted condition on their status.
      { apiGroups: [MONITORING_GROUP], resources: ['prometheusrules/status'], verbs: ['patch'] },
    ],
  },
};
