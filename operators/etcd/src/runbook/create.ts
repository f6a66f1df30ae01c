// Create: bring a new cluster into existence with one seed member.
//
// Preconditions
// - No member answered a member list, and no member Pod or PVC exists.
// - The cluster was never created: no clusterID is recorded in status.
//
// Safety rules
// - Once a clusterID is recorded, never seed again: a second seed would start
//   a different cluster under the same name and lose the data. An existing
//   cluster with nothing left is disaster recovery, not creation.
// - The seed gets a cluster token unique to this EtcdCluster object (its
//   UID), so it cannot join a cluster of a deleted namesake.
// - Only one member is created; the rest join one at a time as learners
//   (scale-up.ts), which is how etcd wants clusters grown.
// - With `spec.bootstrap.restore`, the seed is restored from the backup's
//   snapshot (restore.ts), and nothing is created until that snapshot is found.
import type { ClusterObservation } from './observation.js';
import type { Step } from './step.js';

/** Plans the seed member, or undefined when the cluster exists or is being created. */
export function planCreate(obs: ClusterObservation, newMemberName: () => string): Step | undefined {
  if (obs.membership !== undefined) return undefined;
  if (obs.pods.size > 0 || obs.pvcs.size > 0) return undefined;
  if (obs.previousStatus.clusterID) return undefined;
  if (obs.spec.bootstrap?.restore !== undefined) {
    const source = obs.restoreSource;
    if (source?.ready !== true) {
      return {
        kind: 'Wait',
        reason: 'RestoreSourceNotReady',
        message: source?.message ?? `waiting to read EtcdBackup ${obs.spec.bootstrap.restore.backupName}`,
      };
    }
    const { ready: _ready, ...restore } = source;
    return { kind: 'CreateSeed', member: newMemberName(), restore };
  }
  return { kind: 'CreateSeed', member: newMemberName() };
}
