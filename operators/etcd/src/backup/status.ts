// Backup status, computed from the observation and the step about to be
// taken, so the intent (the Job about to be created) is on record before the
// Job exists. Conditions follow metav1.Condition semantics.
import type { Condition } from '@switchboard/core';
import { setStatusCondition } from '@switchboard/core';

import type { EtcdBackupPhase, EtcdBackupStatus } from '../api/backup-types.js';
import { BackupConditionType, DEFAULT_MAX_BACKUPS } from '../api/backup-types.js';
import type { BackupStep } from './decide.js';
import { ONE_SHOT_ATTEMPTS } from './decide.js';
import type { BackupObservation } from './observation.js';
import { keptSnapshots } from './retention.js';
import { nextScheduleTime, parseSchedule } from './schedule.js';

/** Waits that mean "a snapshot is due but cannot be taken": they make Succeeded False. */
export const BLOCKED_REASONS: ReadonlySet<string> = new Set([
  'SourceNotFound',
  'SourceUnavailable',
  'DestinationNotSupported',
  'InvalidSchedule',
]);

function phaseOf(obs: BackupObservation, step: BackupStep, status: EtcdBackupStatus): EtcdBackupPhase {
  const scheduled = obs.spec.schedule !== undefined;
  switch (step.kind) {
    case 'StartSnapshot':
    case 'UploadSnapshot':
      return 'Running';
    case 'RecordSuccess':
      return scheduled ? 'Scheduled' : 'Succeeded';
    case 'RecordFailure':
    case 'FailAttempt':
      return scheduled
        ? 'Scheduled'
        : (status.consecutiveFailures ?? 0) >= ONE_SHOT_ATTEMPTS
          ? 'Failed'
          : 'Pending';
    case 'DeleteJob':
      return obs.previousStatus.phase ?? 'Pending';
    case 'Done':
      return status.lastSuccessTime !== undefined ? 'Succeeded' : 'Failed';
    case 'Wait':
      if (step.reason === 'SnapshotRunning') return 'Running';
      if (step.reason === 'Suspended') return 'Suspended';
      if (step.reason === 'Scheduled') return 'Scheduled';
      if (step.reason === 'DestinationNotSupported' || step.reason === 'InvalidSchedule') return 'Failed';
      return 'Pending';
  }
}

function nextTime(obs: BackupObservation, lastScheduleTime: string | undefined): string | undefined {
  if (obs.spec.schedule === undefined || obs.spec.suspend) return undefined;
  try {
    const last = new Date(lastScheduleTime ?? obs.createdAt);
    return nextScheduleTime(parseSchedule(obs.spec.schedule), last).toISOString();
  } catch {
    return undefined;
  }
}

function snapshotSummary(step: Extract<BackupStep, { kind: 'RecordSuccess' }>): string {
  const s = step.snapshot;
  return `snapshot ${s.path} at revision ${s.revision}, ${s.size} bytes, sha256 ${s.sha256.slice(0, 12)}…`;
}

function notSucceeded(reason: string, message: string): Omit<Condition, 'lastTransitionTime'> {
  return { type: BackupConditionType.Succeeded, status: 'False', reason, message };
}

/** The status to write for this pass. */
export function computeBackupStatus(obs: BackupObservation, step: BackupStep): EtcdBackupStatus {
  const previous = obs.previousStatus;
  const now = obs.now;
  const status: EtcdBackupStatus = { ...previous, observedGeneration: obs.generation };
  let succeeded: Omit<Condition, 'lastTransitionTime'> | undefined;
  switch (step.kind) {
    case 'StartSnapshot':
      status.currentJob = step.job;
      status.lastScheduleTime = step.scheduledTime;
      break;
    case 'UploadSnapshot':
      status.currentJob = step.key;
      status.lastScheduleTime = step.scheduledTime;
      break;
    case 'RecordSuccess': {
      const max = obs.spec.maxBackups ?? DEFAULT_MAX_BACKUPS;
      delete status.currentJob;
      status.lastSnapshot = step.snapshot;
      status.snapshots = keptSnapshots(previous.snapshots ?? [], step.snapshot, max);
      status.lastSuccessTime = step.snapshot.completionTime;
      status.consecutiveFailures = 0;
      succeeded = {
        type: BackupConditionType.Succeeded,
        status: 'True',
        reason: 'SnapshotVerified',
        message: snapshotSummary(step),
      };
      break;
    }
    case 'RecordFailure':
      delete status.currentJob;
      status.lastFailureTime = now.toISOString();
      status.consecutiveFailures = (previous.consecutiveFailures ?? 0) + 1;
      succeeded = {
        type: BackupConditionType.Succeeded,
        status: 'False',
        reason: 'SnapshotFailed',
        message: step.message,
      };
      break;
    case 'FailAttempt':
      delete status.currentJob;
      status.lastScheduleTime = step.scheduledTime;
      status.lastFailureTime = now.toISOString();
      status.consecutiveFailures = (previous.consecutiveFailures ?? 0) + 1;
      succeeded = notSucceeded(step.reason, step.message);
      break;
    case 'Wait':
      if (BLOCKED_REASONS.has(step.reason)) succeeded = notSucceeded(step.reason, step.message);
      break;
    case 'DeleteJob':
    case 'Done':
      break;
  }
  const running =
    step.kind === 'StartSnapshot' ||
    step.kind === 'UploadSnapshot' ||
    (step.kind === 'Wait' && step.reason === 'SnapshotRunning');
  const runningCondition: Omit<Condition, 'lastTransitionTime'> = {
    type: BackupConditionType.Running,
    status: running ? 'True' : 'False',
    reason: running
      ? step.kind === 'UploadSnapshot'
        ? 'SnapshotUploading'
        : 'SnapshotJobRunning'
      : step.kind === 'Wait'
        ? step.reason
        : 'Idle',
    message: running
      ? step.kind === 'UploadSnapshot'
        ? `member ${step.member} streams its snapshot to ${step.key}`
        : `snapshot Job ${status.currentJob ?? ''} is running`
      : step.kind === 'Wait'
        ? step.message
        : '',
  };
  let conditions = previous.conditions ?? [];
  for (const input of [succeeded, runningCondition]) {
    if (input !== undefined)
      conditions = setStatusCondition(conditions, { ...input, observedGeneration: obs.generation }, now);
  }
  status.conditions = conditions;
  status.phase = phaseOf(obs, step, status);
  const next = nextTime(obs, status.lastScheduleTime);
  if (next !== undefined) status.nextScheduleTime = next;
  else delete status.nextScheduleTime;
  return status;
}

/**
 * The status after the API server refused what the pass's step wrote (a
 * snapshot Job the namespace's admission or quota forbids, or one the
 * operator may not create): Pending, not Running, and Succeeded False with
 * `reason` and the API server's message. A later StartSnapshot pass keeps
 * that Succeeded condition (it sets none), so it stands until a snapshot is
 * recorded.
 */
export function refusedBackupStatus(
  status: EtcdBackupStatus,
  generation: number,
  now: Date,
  reason: string,
  message: string,
): EtcdBackupStatus {
  let conditions = status.conditions ?? [];
  for (const type of [BackupConditionType.Succeeded, BackupConditionType.Running])
    conditions = setStatusCondition(
      conditions,
      { type, status: 'False', reason, message, observedGeneration: generation },
      now,
    );
  return { ...status, phase: 'Pending', conditions };
}
