// Clean up leftovers: Pods and PVCs that belong to no etcd member. They are
// what an interrupted step leaves behind (the operator died after removing a
// member but before deleting its Pod, or after deleting the Pod but before
// the PVC).
//
// Preconditions
// - The member list came from a member in contact with a quorum
//   (linearizable read): it is the authority on who is a member.
// - The Pod or PVC carries this cluster's labels and its name matches no
//   member's peer URL.
//
// Safety rules
// - Never without a quorum-confirmed member list: a member that looks
//   missing from a stale list might be real.
// - Terminating Pods are left to finish.
// - A quarantined PVC (quarantine.ts) is no member's leftover: it is never
//   listed among the members' PVCs, so it is never deleted here.
import type { ClusterObservation } from './observation.js';
import type { Step } from './step.js';

/** Plans deleting one leftover Pod and/or PVC. */
export function planDeleteOrphan(obs: ClusterObservation): Step | undefined {
  if (obs.membership === undefined) return undefined;
  const members = new Set(obs.membership.members.map((m) => m.memberName));
  const names = new Set([...obs.pods.keys(), ...obs.pvcs]);
  for (const name of [...names].sort()) {
    if (members.has(name)) continue;
    const pod = obs.pods.get(name);
    const deletePod = pod !== undefined && !pod.terminating;
    const deletePvc = obs.pvcs.has(name) && pod === undefined;
    if (deletePod || deletePvc) return { kind: 'DeleteOrphan', member: name, pod: deletePod, pvc: deletePvc };
  }
  return undefined;
}
