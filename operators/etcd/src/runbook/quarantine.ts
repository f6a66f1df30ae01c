// Quarantine: what a disaster recovery does with the data of the members it
// gives up on. A member that does not answer may be gone for good, or only
// cut off (its node down, its Pod Pending, the operator itself partitioned);
// its PVC may hold writes the survivor never got. So a recovery never
// deletes a member's PVC; it sets it aside.
//
// Safety rules
// - The PVC is kept, its owner reference to the EtcdCluster removed (deleting
//   the cluster leaves it), labelled etcd.switchboard.dev/quarantined-by with
//   the recovery's ID (its cluster and member labels stay: they say whose it
//   was), and annotated with the raft indexes it may hold.
// - A quarantined PVC is no member's data: the observation lists it apart
//   (ClusterObservation.quarantinedPvcs), so no member restarts on it,
//   orphans.ts never deletes it, and no recovery chooses or clears it.
// - A member's PVC is named after the member, so its name is never given to
//   a new member: the members that rejoin get fresh names
//   (freshMemberName), with new Pods and new, empty PVCs.
// - Only a person deletes a quarantined PVC, once its data is not needed
//   (docs/etcd-operator.md says how to read it first).
// - What may be lost is stated, not hidden: the recovery records the
//   survivor's raft index and the highest index last seen on any member
//   (status.members[].raftIndex, kept while a member does not answer), and
//   its Warning Event says "writes between raft index X and Y may be lost".
import type { ClusterObservation } from './observation.js';

/** A recovery's ID, usable as a label value: its start time, digits and letters only. */
export function recoveryId(startedAt: string): string {
  return startedAt.replace(/[^0-9A-Za-z]/g, '');
}

/** The highest raft index seen on any member: live answers and the indexes kept in status. */
export function highestRaftIndexSeen(obs: ClusterObservation): { index: bigint; member: string } | undefined {
  const seen = [
    ...(obs.previousStatus.members ?? []).flatMap((m) =>
      m.raftIndex !== undefined && /^\d+$/.test(m.raftIndex)
        ? [{ index: BigInt(m.raftIndex), member: m.name }]
        : [],
    ),
    ...(obs.survivors ?? []).map((s) => ({ index: s.raftIndex, member: s.memberName })),
  ];
  return seen.reduce<{ index: bigint; member: string } | undefined>(
    (best, s) =>
      best === undefined ||
      s.index > best.index ||
      (s.index === best.index && s.member.localeCompare(best.member) < 0)
        ? s
        : best,
    undefined,
  );
}

/** The highest raft index seen and its member, as a record or a step carries them (absent when unknown). */
export interface HighestRaftIndex {
  highestRaftIndex?: string;
  highestRaftIndexMember?: string;
}

/** Just the {@link HighestRaftIndex} fields of `from` that are set. */
export function highestOf(from: HighestRaftIndex): HighestRaftIndex {
  return {
    ...(from.highestRaftIndex !== undefined ? { highestRaftIndex: from.highestRaftIndex } : {}),
    ...(from.highestRaftIndexMember !== undefined
      ? { highestRaftIndexMember: from.highestRaftIndexMember }
      : {}),
  };
}

/** What a recovery from a survivor may lose, in one sentence. */
export function describeWriteLoss(
  loss: HighestRaftIndex & { raftIndex: string; quarantine: readonly string[] },
): string {
  const kept =
    loss.quarantine.length > 0
      ? `quarantined PVCs ${loss.quarantine.join(', ')} hold them`
      : 'no other member PVC is left to hold them';
  // Absent only from a record written before the figure was kept.
  if (loss.highestRaftIndex === undefined)
    return `writes past the survivor's raft index ${loss.raftIndex} may be lost; ${kept}`;
  if (BigInt(loss.highestRaftIndex) <= BigInt(loss.raftIndex))
    return `no member was seen past the survivor's raft index ${loss.raftIndex}${loss.quarantine.length > 0 ? `; quarantined PVCs ${loss.quarantine.join(', ')} are kept` : ''}`;
  return `writes between raft index ${loss.raftIndex} and ${loss.highestRaftIndex} (last seen on ${loss.highestRaftIndexMember ?? 'another member'}) may be lost; ${kept}`;
}
