// Clean up leftovers: Pods and PVCs that belong to no etcd member. They are
// what an interrupted step leaves behind (the operator died after removing a
// member but before deleting its Pod, or after deleting the Pod but before
// the PVC).
//
// Preconditions
// - The member list came from a member in contact with a quorum
//   (linearizable read): it is the authority on who is a member.
// - The Pod or PVC carries this cluster's labels and UID (it is ours,
//   retention.ts) and its name matches no member's peer URL.
//
// Safety rules
// - Never without a quorum-confirmed member list: a member that looks
//   missing from a stale list might be real.
// - Terminating Pods are left to finish.
// - A quarantined PVC (quarantine.ts) is no member's leftover: it is never
//   listed among the members' PVCs, so it is never deleted here.
// - Foreign Pods and PVCs (another EtcdCluster's UID) and retained PVCs are
//   not in the observation's pods and pvcs: never deleted here.
// - A Pod whose etcd answers with another cluster's ID, and its PVC, are
//   never deleted here either (cluster-identity.ts): they are reported.
// - A leftover PVC is deleted only under whenScaled `Delete`; under `Retain`
//   it is relabelled as retained instead (it may be a scale-down's, whose
//   record died with the operator).
// - A leftover PVC whose removal said, on the PVC itself, that it was to be
//   quarantined (a replaced member that may only be cut off) or retained is
//   quarantined or retained, whatever whenScaled says: the removal stopped
//   between the member leaving etcd and the volume's fate.
import type { ClusterObservation } from './observation.js';
import { retentionPolicy } from './retention.js';
import type { Step } from './step.js';

/** Plans deleting one leftover Pod and/or PVC, or retaining a leftover PVC. */
export function planDeleteOrphan(obs: ClusterObservation): Step | undefined {
  if (obs.membership === undefined) return undefined;
  const members = new Set(obs.membership.members.map((m) => m.memberName));
  const strangers = new Set((obs.foreignAnswers ?? []).map((a) => a.member));
  const names = [...new Set([...obs.pods.keys(), ...obs.pvcs])].filter((n) => !strangers.has(n));
  const retain = retentionPolicy(obs.spec).whenScaled === 'Retain';
  for (const name of names.sort()) {
    if (members.has(name)) continue;
    const pod = obs.pods.get(name);
    const deletePod = pod !== undefined && !pod.terminating;
    // The PVC is touched only once no Pod uses it.
    const leftoverPvc = obs.pvcs.has(name) && pod === undefined;
    const fate = leftoverPvc ? obs.pvcFates?.get(name) : undefined;
    if (fate?.volume === 'Quarantine')
      return { kind: 'QuarantineVolume', member: name, quarantineId: fate.quarantineId ?? 'replaced' };
    if (leftoverPvc && (retain || fate?.volume === 'Retain'))
      return { kind: 'RetainVolume', member: name, why: retain ? 'Orphaned' : 'ScaledDown' };
    if (deletePod || leftoverPvc)
      return { kind: 'DeleteOrphan', member: name, pod: deletePod, pvc: leftoverPvc };
  }
  return undefined;
}
