// Scale down: remove members until there are `spec.size`.
//
// Preconditions
// - A quorum-confirmed member list with more members than `spec.size`.
//
// Safety rules
// - Learners go first (they do not vote), then unhealthy voters, then the
//   newest voter (a Pod's creation time; the oldest members have the most
//   history with the cluster's clients).
// - Never below a healthy quorum of the remaining voters: if removing the
//   chosen member would leave too few healthy voters, wait.
// - Never remove the leader: move leadership to a healthy voter first
//   (a separate step), then remove it on a later pass.
// - Remove the member from etcd first, then delete its Pod, then its PVC, so
//   that an interruption leaves an orphan (cleaned up) rather than a member
//   that restarts with deleted data. With whenScaled `Retain` (the default)
//   the PVC is relabelled as retained instead of deleted (retention.ts).
import { hasQuorumAfterRemoval } from './quorum.js';
import type { ClusterObservation, ObservedMember } from './observation.js';
import { isPersistent, voterCount, voters } from './observation.js';
import { retentionPolicy } from './retention.js';
import type { Step } from './step.js';

/** The member scale-down removes next: learners, then unhealthy voters, then the newest voter. */
export function scaleDownVictim(
  obs: ClusterObservation,
  members: readonly ObservedMember[],
): ObservedMember | undefined {
  const createdAt = (m: ObservedMember): string => obs.pods.get(m.memberName)?.createdAt ?? '';
  const rank = (m: ObservedMember): number => (m.isLearner ? 0 : m.healthy ? 2 : 1);
  return [...members].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      createdAt(b).localeCompare(createdAt(a)) ||
      b.memberName.localeCompare(a.memberName),
  )[0];
}

/** Plans the next scale-down step, a Wait when unsafe, or undefined when not too big. */
export function planScaleDown(obs: ClusterObservation): Step | undefined {
  const membership = obs.membership;
  if (membership === undefined || membership.members.length <= obs.spec.size) return undefined;
  const victim = scaleDownVictim(obs, membership.members);
  if (victim === undefined) return undefined;
  if (!victim.isLearner && !hasQuorumAfterRemoval(voterCount(membership), victim)) {
    return {
      kind: 'Wait',
      reason: 'ScaleDownWouldLoseQuorum',
      message: `removing ${victim.memberName} now would leave too few healthy voters`,
    };
  }
  if (victim.id === membership.leaderId) {
    const target = voters(membership).find((m) => m.id !== victim.id && m.healthy);
    if (target === undefined)
      return {
        kind: 'Wait',
        reason: 'NoLeaderTarget',
        message: `no healthy voter to take leadership from ${victim.memberName}`,
      };
    return {
      kind: 'MoveLeader',
      fromId: victim.id,
      toId: target.id,
      toMember: target.memberName,
      why: 'ScaleDown',
    };
  }
  return {
    kind: 'RemoveMember',
    member: victim.memberName,
    memberId: victim.id,
    reason: 'ScaleDown',
    detail: `scaling down to ${obs.spec.size}`,
    volume: isPersistent(obs) ? retentionPolicy(obs.spec).whenScaled : 'Delete',
  };
}
