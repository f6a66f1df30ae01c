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
import type { Schedule } from '../backup/schedule.js';
import { ScheduleError, dueScheduleTime, parseSchedule } from '../backup/schedule.js';
import type { ClusterObservation, ObservedMember, ObservedMembership } from './observation.js';
import { voters } from './observation.js';
import type { Step } from './step.js';

/** The alarm etcd raises when a backend reaches its quota. */
export const NOSPACE = 'NOSPACE';
/** A NOSPACE sooner than this after the last recovery is not recovered again until it has passed. */
export const SPACE_RECOVERY_MIN_INTERVAL_MS = 10 * 60_000;

/** The steps of space recovery (members of the runbook's Step union). */
export type SpaceStep =
  /** Compact the key-value history at `revision` (decimal). */
  | { kind: 'CompactForSpace'; revision: string }
  /** Defragment one member's backend (for a NOSPACE recovery, or on spec.defragmentation.schedule). */
  | { kind: 'DefragmentMember'; member: string; memberId: string; leader: boolean; why: SpaceTrigger }
  /** Deactivate the NOSPACE alarm of these members (hex IDs). */
  | { kind: 'DisarmNoSpace'; memberIds: string[] }
  /** Disarmed, or every member defragmented on schedule: record the finish time. */
  | { kind: 'FinishSpaceRecovery'; startedAt: string; why: SpaceTrigger };

/** What started a run of space steps. */
export type SpaceTrigger = 'NoSpace' | 'Schedule';

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
  const why = record.trigger ?? 'NoSpace';
  const finish: Step = { kind: 'FinishSpaceRecovery', startedAt: record.startedAt, why };
  switch (record.phase) {
    case 'Compacting':
      // A record from before the revision was known cannot compact; start over.
      return record.revision === undefined ? finish : { kind: 'CompactForSpace', revision: record.revision };
    case 'Defragmenting': {
      const next = nextToDefragment(membership, record.defragmented);
      if (next !== undefined) return defragmentStep(membership, next, why);
      return alarmed.length > 0 ? { kind: 'DisarmNoSpace', memberIds: alarmed } : finish;
    }
    case 'Disarming':
      return alarmed.length > 0 ? { kind: 'DisarmNoSpace', memberIds: alarmed } : finish;
    case 'Disarmed':
      return finish;
  }
}

function defragmentStep(membership: ObservedMembership, member: ObservedMember, why: SpaceTrigger): Step {
  return {
    kind: 'DefragmentMember',
    member: member.memberName,
    memberId: member.id,
    leader: member.id === membership.leaderId,
    why,
  };
}

/**
 * Scheduled defragmentation (spec.defragmentation.schedule): when a scheduled
 * time has passed since status.space.lastDefragmentationTime and the cluster
 * is otherwise settled (exactly spec.size healthy voters, no learner, no
 * alarm), the first member is defragmented and the run is recorded like a
 * NOSPACE recovery without compaction or disarm (planSpace continues it).
 * Last in the runbook's order: it never delays a repair or a change.
 */
export function planScheduledDefragmentation(obs: ClusterObservation, now: Date): Step | undefined {
  const membership = obs.membership;
  const text = obs.spec.defragmentation?.schedule;
  const last = obs.previousStatus.space?.lastDefragmentationTime;
  if (membership === undefined || text === undefined || last === undefined) return undefined;
  if (obs.previousStatus.space?.recovery !== undefined || membership.alarms.length > 0) return undefined;
  const schedule = parsedSchedule(text);
  if (schedule === undefined || dueScheduleTime(schedule, new Date(last), now) === undefined)
    return undefined;
  const settled =
    voters(membership).length === obs.spec.size &&
    membership.members.every((m) => !m.isLearner && m.healthy && m.status !== undefined);
  if (!settled) return undefined;
  const first = nextToDefragment(membership, []);
  return first === undefined ? undefined : defragmentStep(membership, first, 'Schedule');
}

function parsedSchedule(text: string): Schedule | undefined {
  try {
    return parseSchedule(text);
  } catch (err) {
    if (err instanceof ScheduleError) return undefined;
    throw err;
  }
}

/** Why spec.defragmentation.schedule cannot be used, if it cannot (for the Degraded condition). */
export function defragmentationScheduleProblem(obs: ClusterObservation): string | undefined {
  const text = obs.spec.defragmentation?.schedule;
  if (text === undefined) return undefined;
  try {
    parseSchedule(text);
    return undefined;
  } catch (err) {
    if (err instanceof ScheduleError)
      return `spec.defragmentation.schedule ${JSON.stringify(text)}: ${err.message}`;
    throw err;
  }
}

/** One line describing a space step, for events, logs and condition messages. */
export function describeSpaceStep(step: SpaceStep): string {
  switch (step.kind) {
    case 'CompactForSpace':
      return `NOSPACE: compacting the key-value history at revision ${step.revision}`;
    case 'DefragmentMember':
      return `${step.why === 'Schedule' ? 'scheduled defragmentation' : 'NOSPACE'}: defragmenting member ${step.member}${step.leader ? ' (the leader, last)' : ''}`;
    case 'DisarmNoSpace':
      return `NOSPACE: disarming the alarm of ${step.memberIds.join(', ')}`;
    case 'FinishSpaceRecovery':
      return step.why === 'Schedule'
        ? `scheduled defragmentation started at ${step.startedAt} finished: every answering member defragmented`
        : `NOSPACE recovery started at ${step.startedAt} finished: history compacted, members defragmented, alarm disarmed`;
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
): { space?: Omit<EtcdSpaceStatus, 'recovery'> & { recovery?: EtcdSpaceRecoveryStatus | null } } {
  const space = obs.previousStatus.space;
  const record = space?.recovery;
  const at = now.toISOString();
  const s = step;
  if (s.kind === 'CompactForSpace' && record === undefined) {
    return {
      space: { recovery: { phase: 'Compacting', startedAt: at, revision: s.revision, defragmented: [] } },
    };
  }
  if (s.kind === 'DefragmentMember' && record === undefined) {
    return {
      space: { recovery: { trigger: s.why, phase: 'Defragmenting', startedAt: at, defragmented: [] } },
    };
  }
  if (s.kind === 'DisarmNoSpace' && record !== undefined && record.phase !== 'Disarming')
    return { space: { recovery: { ...record, phase: 'Disarming' } } };
  if (s.kind === 'FinishSpaceRecovery') {
    const recovered = s.why === 'NoSpace' ? { lastRecoveryTime: at } : {};
    return { space: { recovery: null, ...recovered, lastDefragmentationTime: at } };
  }
  // A schedule counts from when it was first seen.
  if (obs.spec.defragmentation !== undefined && space?.lastDefragmentationTime === undefined)
    return { space: { lastDefragmentationTime: at } };
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
  if (alarmed.length === 0) {
    const problem = defragmentationScheduleProblem(obs);
    return problem === undefined ? undefined : { reason: 'InvalidDefragmentationSchedule', message: problem };
  }
  return {
    reason: 'NoSpace',
    message: `etcd raised NOSPACE on ${alarmed.join(', ')}: writes are refused until the operator has compacted, defragmented and disarmed`,
  };
}
