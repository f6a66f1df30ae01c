// The operator as `switchboard crd` and `switchboard rbac` read it: the
// resources it defines (config/crd/) and the controllers it runs, from whose
// for/owns/watches calls and EventRecorder the ClusterRole in config/rbac/ is
// derived. Its writes: status by merge patch, Services and the PDB by
// server-side apply, member Pods and PVCs created (`writes: 'apply'` covers
// these), a Pod's image by JSON patch (patch), and member Pods and PVCs
// deleted by the runbook itself (the rule below). The leader-election Lease
// lives in the operator's own namespace, so a namespaced Role grants it
// (config/rbac/leader-election-role.yaml), not this cluster-wide role.
// The backup controller creates snapshot Jobs, reads their Pods' results and
// deletes the Jobs once recorded; it reads the EtcdCluster it backs up, the
// destination PVC, and the Secret holding an S3 destination's credentials
// (the one Secret a backup names). For clusters with TLS the operator reads
// the Secrets the members mount and its own client certificate, and creates
// and renews (updates) the Secrets of generated certificates. It never lists
// or watches Secrets: it reads the ones it needs on every pass. When the
// monitoring.coreos.com ServiceMonitor CRD is installed, the cluster
// controller applies a ServiceMonitor per cluster. For a member Pod that is
// not Ready it lists Nodes and reads its PVC's PersistentVolume, to tell a
// lost node from a crashing member.
import type { Manager } from '@switchboard/core';

import { EtcdBackupResource } from './api/backup-crd.js';
import { EtcdClusterResource } from './api/crd.js';
import { addEtcdBackupController } from './controller/backup-controller.js';
import { addEtcdController } from './controller/etcd-controller.js';

/** What the etcd operator defines, runs and is allowed to do. */
export const operator = {
  /** Name of the ClusterRole, ServiceAccount and Deployment. */
  name: 'etcd-operator',
  resources: [EtcdClusterResource, EtcdBackupResource],
  controllers(manager: Manager): void {
    addEtcdController(manager);
    addEtcdBackupController(manager);
  },
  rbac: {
    leaderElection: false,
    writes: 'apply' as const,
    rules: [
      { apiGroups: [''], resources: ['persistentvolumeclaims', 'pods'], verbs: ['delete'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['delete'] },
      // Whether a member that is not Ready lost its node (controller/observe-nodes.ts): the
      // node it runs on, or the node its local volume is bound to (the PV's nodeAffinity).
      { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
      { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get'] },
      // TLS: read named and generated certificate Secrets, create and renew generated ones;
      // S3 backups: read the credentials Secret an EtcdBackup names.
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'update'] },
      // A ServiceMonitor per cluster when the CRD is installed (not watched: the
      // kind may not exist), deleted when spec.monitoring.serviceMonitor is false.
      {
        apiGroups: ['monitoring.coreos.com'],
        resources: ['servicemonitors'],
        verbs: ['get', 'create', 'patch', 'delete'],
      },
      // Disaster recovery removes the recover annotation once it is done.
      { apiGroups: ['etcd.switchboard.dev'], resources: ['etcdclusters'], verbs: ['patch'] },
    ],
  },
};
