// Replace a failed member: remove it from etcd and delete its Pod and PVC, so
// that scale-up adds a fresh member (new name, new ID, empty data, joined as
// a learner) in its place on a later pass.
//
// Preconditions (any one makes a member failed)
// - Its data is gone: ephemeral storage and no Pod, or neither Pod nor PVC.
// - It is crash-looping: the etcd container restarted at least
//   REPLACE_AFTER_RESTARTS times and the member is not healthy. A Pod
//   recreated on the same PVC (restart-member.ts) is always tried first.
// - It was added but never joined (etcd still lists it without a name): its
//   container restarted REPLACE_AFTER_RESTARTS times, or its Pod has existed
//   for JOIN_TIMEOUT_MS. etcd allows one learner at a time, so a learner that
//   can never start (unresolvable peer name, bad node) would otherwise block
//   every later scale-up and replacement.
// - etcd raised a CORRUPT alarm on it.
//
// Safety rules
// - Only with a quorum-confirmed member list (never without contact with a
//   quorum).
// - Removing it must leave a healthy quorum of the remaining voters
//   (quorum.ts); a dead member's removal never costs a vote, a healthy
//   corrupt member's removal may, and then we wait.
// - One replacement at a time, and not while a learner is pending.
import { hasQuorumAfterRemoval } from './quorum.js';
import type { ClusterObservation, ObservedMember } from './observation.js';
import { hasStarted, isPersistent, learners, voterCount } from './observation.js';
import type { Step } from './step.js';

/** Container restarts after which an unhealthy member is replaced instead of restarted again. */
export const REPLACE_AFTER_RESTARTS = 5;

/** How long an added member's Pod may exist without the member joining before it is replaced. */
export const JOIN_TIMEOUT_MS = 5 * 60_000;

function neverJoined(obs: ClusterObservation, member: ObservedMember): string | undefined {
  const pod = obs.pods.get(member.memberName);
  if (pod === undefined || pod.terminating) return undefined; // restart-member.ts starts it
  if (pod.restartCount >= REPLACE_AFTER_RESTARTS) {
    return `it never joined: its container restarted ${pod.restartCount} times`;
  }
  const created = Date.parse(pod.createdAt);
  if (obs.observedAt === undefined || Number.isNaN(created)) return undefined;
  const age = obs.observedAt - created;
  return age >= JOIN_TIMEOUT_MS
    ? `it has not joined ${Math.round(age / 1000)} s after its Pod was created`
    : undefined;
}

/** Why a member counts as failed, or undefined when it does not. */
export function failureOf(obs: ClusterObservation, member: ObservedMember): string | undefined {
  if (!hasStarted(member)) return neverJoined(obs, member);
  const pod = obs.pods.get(member.memberName);
  const dataKept = isPersistent(obs) && obs.pvcs.has(member.memberName);
  if (pod === undefined && !dataKept) return 'its Pod and data are gone';
  if (obs.membership?.alarms.some((a) => a.memberId === member.id && a.alarm === 'CORRUPT')) {
    return 'etcd raised a CORRUPT alarm on it';
  }
  if (pod !== undefined && !member.healthy && pod.restartCount >= REPLACE_AFTER_RESTARTS) {
    return `its container restarted ${pod.restartCount} times and it is not healthy`;
  }
  return undefined;
}

/** Plans removing one failed member (the next scale-up replaces it), or a Wait when that is not safe yet. */
export function planReplaceMember(obs: ClusterObservation): Step | undefined {
  const membership = obs.membership;
  if (membership === undefined) return undefined;
  for (const member of membership.members) {
    const failure = failureOf(obs, member);
    if (failure === undefined) continue;
    const pendingLearner = learners(membership).find((l) => l.id !== member.id);
    if (pendingLearner !== undefined) {
      return {
        kind: 'Wait',
        reason: 'LearnerPending',
        message: `member ${member.memberName} failed (${failure}); waiting for learner ${pendingLearner.memberName} first`,
      };
    }
    if (!member.isLearner && !hasQuorumAfterRemoval(voterCount(membership), member.healthy)) {
      return {
        kind: 'Wait',
        reason: 'ReplacementWouldLoseQuorum',
        message: `member ${member.memberName} failed (${failure}) but removing it now would lose quorum`,
      };
    }
    return {
      kind: 'RemoveMember',
      member: member.memberName,
      memberId: member.id,
      reason: 'Replace',
      detail: failure,
      volume: 'Delete',
    };
  }
  return undefined;
}
