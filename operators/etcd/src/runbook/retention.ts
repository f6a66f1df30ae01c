// Member volumes: whose a PVC is, when it outlives its member or its
// EtcdCluster, and what the operator never touches
// (`spec.persistentVolumeClaimRetentionPolicy`, shaped like a StatefulSet's).
//
// Rules
// - Ours or foreign. Every member Pod and PVC is labelled at creation with
//   the UID of the EtcdCluster that made it (CLUSTER_UID_LABEL). An object
//   labelled with this cluster's name but another UID belongs to a deleted
//   namesake: it is foreign. One without the UID label (made before the
//   label existed) is ours when its controller owner reference names this
//   cluster's UID, and foreign otherwise. Foreign objects are never used (no
//   member starts on a foreign PVC, no foreign Pod is asked for a member
//   list) and never deleted (they are not orphans).
// - Names. A new member's name never repeats the name of any Pod or PVC
//   labelled with this cluster's name (ours, retained or foreign), so a new
//   member can never be given an old member's data.
// - whenDeleted. `Retain` (the default): our PVCs carry no owner reference
//   to the EtcdCluster, so deleting it (or its CRD) leaves them; `Delete`:
//   they carry the controller reference and are garbage-collected with it.
//   The reference is reconciled on every pass, both ways, so a change of
//   policy (and PVCs made by an older operator, always owned) follows.
// - whenScaled. `Retain` (the default, as a StatefulSet's): a member removed
//   by a scale-down loses its Pod, but its PVC is relabelled as retained
//   (RETAINED_LABEL = the reason, RETAINED_ANNOTATION says which member of
//   which cluster); `Delete`: the PVC is deleted after the Pod. With
//   `Retain`, a PVC of ours whose member left etcd without the step
//   finishing (an operator killed mid scale-down, orphans.ts) is retained
//   too (`Orphaned`): it may be a scale-down's.
// - A retained PVC is never started on or deleted by the operator again;
//   the user deletes or reuses it (docs/etcd-operator.md).
// - Replacing a failed member (replace-member.ts) and disaster recovery
//   delete the data of the members they remove whatever the policy: that
//   data is what failed, or it belongs to a membership that no longer exists.
import type { EtcdClusterSpec, EtcdPvcRetentionPolicy } from '../api/types.js';
import { DEFAULT_PVC_RETENTION_POLICY } from '../api/types.js';
import type { ClusterObservation } from './observation.js';

/** Why a PVC was retained: a scale-down removed its member, or its member left etcd by an interrupted step. */
export type RetainedWhy = 'ScaledDown' | 'Orphaned';

/** The policy of a spec, defaults filled in. */
export function retentionPolicy(
  spec: Pick<EtcdClusterSpec, 'persistentVolumeClaimRetentionPolicy'>,
): Required<EtcdPvcRetentionPolicy> {
  return { ...DEFAULT_PVC_RETENTION_POLICY, ...spec.persistentVolumeClaimRetentionPolicy };
}

/** What says which EtcdCluster made a Pod or PVC. */
export interface ObjectOrigin {
  /** Value of the UID label, if any. */
  uidLabel?: string;
  /** UID of its controller owner reference to an EtcdCluster, if any. */
  ownerUid?: string;
}

/** True when an object labelled with this cluster's name was made by this EtcdCluster (UID `clusterUid`). */
export function isOurs(origin: ObjectOrigin, clusterUid: string): boolean {
  return (origin.uidLabel ?? origin.ownerUid) === clusterUid;
}

/** Every name a new member must not take: members, and Pods and PVCs of this cluster's name, ours or not (quarantined and retained too). */
export function takenNames(obs: ClusterObservation): Set<string> {
  return new Set([
    ...(obs.membership?.members.map((m) => m.memberName) ?? []),
    ...obs.pods.keys(),
    ...obs.pvcs,
    ...(obs.quarantinedPvcs ?? []),
    ...(obs.retainedPvcs ?? []),
    ...(obs.foreign ?? []),
  ]);
}

/** How many names are tried before giving up (a generator that repeats itself is a bug). */
const NAME_ATTEMPTS = 100;

/** A name from `newMemberName` that no member, Pod or PVC of this cluster's name has. */
export function freshMemberName(obs: ClusterObservation, newMemberName: () => string): string {
  const taken = takenNames(obs);
  for (let i = 0; i < NAME_ATTEMPTS; i++) {
    const name = newMemberName();
    if (!taken.has(name)) return name;
  }
  throw new Error(`no free member name after ${NAME_ATTEMPTS} attempts: every name given is taken`);
}
