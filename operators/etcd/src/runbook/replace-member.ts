// Replace a failed member: remove it from etcd, delete its Pod and delete or
// quarantine its PVC, so that scale-up adds a fresh member (new name, new ID,
// empty data, joined as a learner) in its place on a later pass.
//
// Preconditions (any one makes a member failed)
// - Its data is gone: ephemeral storage and no Pod, or neither Pod nor PVC.
// - It has been unhealthy for longer than spec.memberFailureTimeoutSeconds,
//   counted from status.members[].unhealthySince (status.ts records the first
//   unhealthy sample and clears it on the first healthy one). This covers a
//   crash loop, a Pod Pending because its node-bound volume's node is gone, a
//   Pod stuck Terminating on a node whose kubelet does not answer, and a node
//   NotReady. No time counts before this operator started reconciling, nor
//   while there was no quorum (status.ts drops unhealthySince then: who is
//   healthy is judged with a quorum). Restarts over the Pod's whole life (upgrades, liveness kills)
//   never count: only how long the member has been unhealthy now. A Pod
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
// - Data is never deleted on a guess: the PVC of a member that was not seen
//   running on a Ready node (its node NotReady or gone, its Pod Pending,
//   Terminating or missing, or still reported Ready by a kubelet that may
//   have stopped reporting) is quarantined (quarantine.ts: kept, labelled,
//   never reused), since the member may only be cut off and hold writes.
//   Only a member that ran on a Ready node and still failed (a crash loop, a
//   CORRUPT alarm) has its PVC deleted.
// - A Pod stuck Terminating is deleted normally, never forced: its node may
//   still run it. The replacement has a new name, so it does not wait for
//   the old Pod; the old process, once removed from etcd, is refused by its
//   peers and stops.
import { DEFAULT_MEMBER_FAILURE_TIMEOUT_SECONDS } from '../api/types.js';
import type { EtcdClusterSpec } from '../api/types.js';
import { recoveryId } from './quarantine.js';
import { hasQuorumAfterRemoval } from './quorum.js';
import type { ClusterObservation, ObservedMember } from './observation.js';
import { hasStarted, isPersistent, learners, voterCount } from './observation.js';
import type { Step } from './step.js';

/** Container restarts after which a member that never joined is replaced instead of restarted again. */
export const REPLACE_AFTER_RESTARTS = 5;

/** How long a member may stay unhealthy before it is replaced (`spec.memberFailureTimeoutSeconds`, in ms). */
export function memberFailureTimeoutMs(spec: Pick<EtcdClusterSpec, 'memberFailureTimeoutSeconds'>): number {
  return (spec.memberFailureTimeoutSeconds ?? DEFAULT_MEMBER_FAILURE_TIMEOUT_SECONDS) * 1000;
}

/**
 * How long `member` has been unhealthy as of this observation (ms), per
 * status.members[].unhealthySince, counting no time before `watchingSince`
 * (this operator was not looking: the member may have been healthy meanwhile).
 */
function unhealthyForMs(
  obs: ClusterObservation,
  member: ObservedMember,
  watchingSince: Date | undefined,
): number | undefined {
  if (member.healthy || obs.observedAt === undefined) return undefined;
  const since = obs.previousStatus.members?.find((m) => m.name === member.memberName)?.unhealthySince;
  const at = since === undefined ? NaN : Date.parse(since);
  if (Number.isNaN(at)) return undefined;
  return obs.observedAt - Math.max(at, watchingSince?.getTime() ?? at);
}

/** What the member's Pod and node look like, for the reason a member is replaced. */
function podState(obs: ClusterObservation, member: ObservedMember): string {
  const pod = obs.pods.get(member.memberName);
  if (pod === undefined) return 'its Pod is gone';
  const node = pod.nodeProblem !== undefined ? `; ${pod.nodeProblem}` : '';
  if (pod.terminating) return `its Pod is stuck Terminating${node}`;
  if (pod.phase !== 'Running') return `its Pod is ${pod.phase}${node}`;
  return `its Pod is Running${pod.ready ? '' : ' but not Ready'}${node}`;
}

/**
 * True when the member's data may still be good and only out of reach
 * (quarantine its PVC instead of deleting it). Only a member whose kubelet
 * itself reports it Running and not Ready, on a node seen Ready, failed in
 * plain sight; a Pod still reported Ready while etcd calls the member
 * unhealthy is a stale view (a kubelet that stopped reporting, a partition).
 */
export function mayBeCutOff(obs: ClusterObservation, member: ObservedMember): boolean {
  const pod = obs.pods.get(member.memberName);
  return (
    pod === undefined ||
    pod.terminating ||
    pod.phase !== 'Running' ||
    pod.ready ||
    pod.nodeProblem !== undefined
  );
}

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

/** Label value of a replaced member's quarantined PVC: `replaced-` and the observation's time. */
function replacementId(obs: ClusterObservation): string {
  return `replaced-${recoveryId(new Date(obs.observedAt ?? Date.now()).toISOString())}`;
}

/**
 * Why a member counts as failed, or undefined when it does not.
 * `watchingSince`: when this operator started reconciling (see DecideOptions).
 */
export function failureOf(
  obs: ClusterObservation,
  member: ObservedMember,
  watchingSince?: Date,
): string | undefined {
  if (!hasStarted(member)) return neverJoined(obs, member);
  const pod = obs.pods.get(member.memberName);
  const dataKept = isPersistent(obs) && obs.pvcs.has(member.memberName);
  if (pod === undefined && !dataKept) return 'its Pod and data are gone';
  if (obs.membership?.alarms.some((a) => a.memberId === member.id && a.alarm === 'CORRUPT')) {
    return 'etcd raised a CORRUPT alarm on it';
  }
  const unhealthyMs = unhealthyForMs(obs, member, watchingSince);
  const bound = memberFailureTimeoutMs(obs.spec);
  if (unhealthyMs !== undefined && unhealthyMs >= bound) {
    return `it has not been healthy for ${Math.round(unhealthyMs / 1000)} s (spec.memberFailureTimeoutSeconds ${bound / 1000}): ${podState(obs, member)}`;
  }
  return undefined;
}

/** Plans removing one failed member (the next scale-up replaces it), or a Wait when that is not safe yet. */
export function planReplaceMember(obs: ClusterObservation, watchingSince?: Date): Step | undefined {
  const membership = obs.membership;
  if (membership === undefined) return undefined;
  for (const member of membership.members) {
    const failure = failureOf(obs, member, watchingSince);
    if (failure === undefined) continue;
    const pendingLearner = learners(membership).find((l) => l.id !== member.id);
    if (pendingLearner !== undefined) {
      return {
        kind: 'Wait',
        reason: 'LearnerPending',
        message: `member ${member.memberName} failed (${failure}); waiting for learner ${pendingLearner.memberName} first`,
      };
    }
    if (!member.isLearner && !hasQuorumAfterRemoval(voterCount(membership), member)) {
      return {
        kind: 'Wait',
        reason: 'ReplacementWouldLoseQuorum',
        message: `member ${member.memberName} failed (${failure}) but removing it now would lose quorum`,
      };
    }
    const quarantine = isPersistent(obs) && obs.pvcs.has(member.memberName) && mayBeCutOff(obs, member);
    return {
      kind: 'RemoveMember',
      member: member.memberName,
      memberId: member.id,
      reason: 'Replace',
      detail: failure,
      ...(quarantine ? { volume: 'Quarantine', quarantineId: replacementId(obs) } : { volume: 'Delete' }),
    };
  }
  return undefined;
}
