// Restart a member on its own data: the first answer to a member whose Pod
// is gone (deleted, evicted, node lost).
//
// Preconditions
// - Storage is persistent and the member's PVC exists, but it has no Pod.
// - When etcd answered, the member is still in the member list (otherwise the
//   PVC is a leftover and orphans.ts deletes it).
// - Or: the member was added to etcd but never started (an interrupted
//   scale-up), so its Pod and PVC are created for the first time.
//
// Safety rules
// - Same PVC, same data, same member ID: this is a process restart as far as
//   etcd is concerned, not a membership change, so it needs no quorum and is
//   allowed even when etcd does not answer (it is how a cluster that lost
//   quorum because Pods were deleted gets it back).
// - The Pod is started with `--initial-cluster-state=existing` (etcd ignores
//   the initial-cluster flags when the data folder exists); a seed that never
//   recorded a cluster ID is started as `new` again.
import type { ClusterObservation } from './observation.js';
import { hasStarted, isPersistent } from './observation.js';
import type { Step } from './step.js';

/** Plans recreating one lost member Pod, or starting a member that never started. */
export function planRestartMember(obs: ClusterObservation): Step | undefined {
  if (obs.membership === undefined) {
    if (!isPersistent(obs)) return undefined;
    const lost = [...obs.pvcs].sort().find((name) => !obs.pods.has(name));
    return lost === undefined ? undefined : { kind: 'StartMember', member: lost, why: 'PodLost' };
  }
  for (const member of obs.membership.members) {
    if (obs.pods.has(member.memberName)) continue;
    if (!hasStarted(member)) {
      return { kind: 'StartMember', member: member.memberName, memberId: member.id, why: 'NeverStarted' };
    }
    if (isPersistent(obs) && obs.pvcs.has(member.memberName)) {
      return { kind: 'StartMember', member: member.memberName, memberId: member.id, why: 'PodLost' };
    }
  }
  return undefined;
}
