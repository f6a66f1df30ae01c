// Recover from NOSPACE: a member's backend reached `--quota-backend-bytes`,
// etcd raised the NOSPACE alarm and the whole cluster refuses writes (reads
// and deletes still work). The way out is the one etcd's maintenance guide
// gives: compact the history, defragment every member so the freed pages go
// back to the file system, then disarm the alarm.
//
// Preconditions
// - A quorum-confirmed member list with a NOSPACE alarm on some member, or a
//   recovery on record (status.space.recovery).
// - No recovery finished less than SPACE_RECOVERY_MIN_INTERVAL_MS ago: a
//   NOSPACE that comes back that soon means the live data itself does not fit
//   the quota, which compaction cannot fix. Then the runbook waits, and the
//   Degraded condition and an Event tell the user to raise
//   spec.etcdOptions.quotaBackendBytes (the throttle: it never loops).
//
// Steps, one per pass, each recorded in status before it is taken
//   1. CompactForSpace: compact at the leader's revision when the alarm was
//      seen (the latest value of every key stays; older versions go).
//   2. DefragmentMember: one member at a time, followers by name, the leader
//      last (a member being defragmented answers nothing; the leader's pause
//      would stall the whole cluster).
//   3. DisarmNoSpace: deactivate the NOSPACE alarm of every member that has one.
//   4. FinishSpaceRecovery: once disarmed, the finish time is recorded (it
//      starts the throttle interval). Disarming happens once per recovery: a
//      write refused again right after (the live data does not fit) raises
//      the alarm again, and that is the throttle's case, not a reason to
//      disarm in a loop.
//
// Safety rules
// - Every step can be repeated: the executor records a stage as done only
//   after its call returned, so a pass that crashed in between repeats it.
//   Compacting an already compacted revision is refused as `Compacted`
//   (counted as done), a second defragmentation only costs time, disarming
//   an absent alarm is a no-op.
// - Members whose endpoint does not answer are not waited for: they are not
//   writing, and a member that restarts later compacts with the others.
import type { EtcdSpaceRecoveryStatus, EtcdSpaceStatus } from '../api/types.js';
import type { ClusterObservation, ObservedMember, ObservedMembership } from './observation.js';
import type { Step } from './step.js';

/** The alarm etcd raises when a backend reaches its quota. */
export const NOSPACE = 'NOSPACE';
/** A NOSPACE sooner than this after the last recovery is not recovered again until it has passed. */
export const SPACE_RECOVERY_MIN_INTERVAL_MS = 10 * 60_000;

/** The steps of space recovery (members of the runbook's Step union). */
export type SpaceStep =
  /** Compact the key-value history at `revision` (decimal). */
  | { kind: 'CompactForSpace'; revision: string }
  /** Defragment one member's backend. */
  | { kind: 'DefragmentMember'; member: string; memberId: string; leader: boolean }
  /** Deactivate the NOSPACE alarm of these members (hex IDs). */
  | { kind: 'DisarmNoSpace'; memberIds: string[] }
  /** The alarm is gone: record the finish time. */
  | { kind: 'FinishSpaceRecovery'; startedAt: string };

/** Wait reason while a NOSPACE that returned too soon is not recovered again. */
export const NOSPACE_RECURRING = 'NoSpaceRecurring';

/** Members (hex IDs) with a NOSPACE alarm. */
export function noSpaceMembers(membership: ObservedMembership): string[] {
  return [...new Set(membership.alarms.filter((a) => a.alarm === NOSPACE).map((a) => a.memberId))].sort();
}

function compactionRevision(membership: ObservedMembership): bigint | undefined {
  const leader = membership.members.find((m) => m.id === membership.leaderId)?.status?.revision;
  if (leader !== undefined) return leader;
  const revisions = membership.members
    .map((m) => m.status?.revision)
    .filter((r): r is bigint => r !== undefined);
  return revisions.length === 0 ? undefined : revisions.reduce((a, b) => (a > b ? a : b));
}

/** The next member to defragment: reachable, not done yet, followers by name, the leader last. */
function nextToDefragment(
  membership: ObservedMembership,
  done: readonly string[],
): ObservedMember | undefined {
  const todo = membership.members
    .filter((m) => m.status !== undefined && !done.includes(m.memberName))
    .sort(
      (a, b) =>
        Number(a.id === membership.leaderId) - Number(b.id === membership.leaderId) ||
        a.memberName.localeCompare(b.memberName),
    );
  return todo[0];
}

function quotaAdvice(obs: ClusterObservation): string {
  const quota = obs.spec.etcdOptions?.quotaBackendBytes;
  return `raise spec.etcdOptions.quotaBackendBytes (now ${quota === undefined ? "etcd's default 2 GiB" : `${quota} bytes`}) or delete data`;
}

/** Plans the next space-recovery step, a Wait while throttled, or undefined when there is nothing to do. */
export function planSpace(obs: ClusterObservation, now: Date): Step | undefined {
  const membership = obs.membership;
  if (membership === undefined) return undefined;
  const alarmed = noSpaceMembers(membership);
  const record = obs.previousStatus.space?.recovery;
  if (record === undefined) {
    if (alarmed.length === 0) return undefined;
    const last = obs.previousStatus.space?.lastRecoveryTime;
    const since = last === undefined ? Infinity : now.getTime() - Date.parse(last);
    if (since < SPACE_RECOVERY_MIN_INTERVAL_MS) {
      return {
        kind: 'Wait',
        reason: NOSPACE_RECURRING,
        message: `NOSPACE came back ${Math.round(since / 1000)} s after the last recovery: the live data does not fit the quota; ${quotaAdvice(obs)}. The operator compacts and defragments again ${Math.round((SPACE_RECOVERY_MIN_INTERVAL_MS - since) / 1000)} s from now`,
      };
    }
    const revision = compactionRevision(membership);
    if (revision === undefined)
      return {
        kind: 'Wait',
        reason: 'NoSpace',
        message: 'NOSPACE alarm raised; no member reports its revision yet',
      };
    return { kind: 'CompactForSpace', revision: revision.toString() };
  }
  switch (record.phase) {
    case 'Compacting':
      return { kind: 'CompactForSpace', revision: record.revision };
    case 'Defragmenting': {
      const next = nextToDefragment(membership, record.defragmented);
      if (next !== undefined)
        return {
          kind: 'DefragmentMember',
          member: next.memberName,
          memberId: next.id,
          leader: next.id === membership.leaderId,
        };
      return alarmed.length > 0
        ? { kind: 'DisarmNoSpace', memberIds: alarmed }
        : { kind: 'FinishSpaceRecovery', startedAt: record.startedAt };
    }
    case 'Disarming':
      return alarmed.length > 0
        ? { kind: 'DisarmNoSpace', memberIds: alarmed }
        : { kind: 'FinishSpaceRecovery', startedAt: record.startedAt };
    case 'Disarmed':
      return { kind: 'FinishSpaceRecovery', startedAt: record.startedAt };
  }
}

/** One line describing a space step, for events, logs and condition messages. */
export function describeSpaceStep(step: SpaceStep): string {
  switch (step.kind) {
    case 'CompactForSpace':
      return `NOSPACE: compacting the key-value history at revision ${step.revision}`;
    case 'DefragmentMember':
      return `NOSPACE: defragmenting member ${step.member}${step.leader ? ' (the leader, last)' : ''}`;
    case 'DisarmNoSpace':
      return `NOSPACE: disarming the alarm of ${step.memberIds.join(', ')}`;
    case 'FinishSpaceRecovery':
      return `NOSPACE recovery started at ${step.startedAt} finished: history compacted, members defragmented, alarm disarmed`;
  }
}

/**
 * status.space for this pass (intent before acting): a new record when
 * compaction starts, `Disarming` once every member is defragmented, cleared
 * with the finish time once disarmed. The executor advances `Compacting`,
 * the defragmented list and `Disarming` after each call returns.
 */
export function spaceStatus(
  obs: ClusterObservation,
  step: Step,
  now: Date,
): { space?: { recovery: EtcdSpaceRecoveryStatus | null; lastRecoveryTime?: string } } {
  const record = obs.previousStatus.space?.recovery;
  const s = step;
  if (s.kind === 'CompactForSpace' && record === undefined) {
    return {
      space: {
        recovery: {
          phase: 'Compacting',
          startedAt: now.toISOString(),
          revision: s.revision,
          defragmented: [],
        },
      },
    };
  }
  if (s.kind === 'DisarmNoSpace' && record !== undefined && record.phase !== 'Disarming')
    return { space: { recovery: { ...record, phase: 'Disarming' } } };
  if (s.kind === 'FinishSpaceRecovery')
    return { space: { recovery: null, lastRecoveryTime: now.toISOString() } };
  return {};
}

/**
 * What to merge into status.space.recovery once a stage's call returned
 * (the executor writes it; the record itself was written before the call).
 */
export function afterSpaceStep(
  space: EtcdSpaceStatus | undefined,
  step: SpaceStep,
): Partial<EtcdSpaceRecoveryStatus> | undefined {
  if (step.kind === 'CompactForSpace') return { phase: 'Defragmenting' };
  if (step.kind === 'DisarmNoSpace') return { phase: 'Disarmed' };
  const done = space?.recovery?.defragmented ?? [];
  if (step.kind === 'DefragmentMember' && !done.includes(step.member))
    return { defragmented: [...done, step.member].sort() };
  return undefined;
}

/** The Degraded condition's verdict on space, when it has one (status.ts). */
export function spaceDegraded(
  obs: ClusterObservation,
  step: Step,
): { reason: string; message: string } | undefined {
  if (step.kind === 'Wait' && step.reason === NOSPACE_RECURRING)
    return { reason: NOSPACE_RECURRING, message: step.message };
  const alarmed = obs.membership === undefined ? [] : noSpaceMembers(obs.membership);
  if (alarmed.length === 0) return undefined;
  return {
    reason: 'NoSpace',
    message: `etcd raised NOSPACE on ${alarmed.join(', ')}: writes are refused until the operator has compacted, defragmented and disarmed`,
  };
}
