// The backup runbook: given one fresh observation, pick exactly one step.
//
//   1. a finished Job          -> record its snapshot or its failure, then
//                                 delete it (a Job recorded before is only deleted)
//   2. a running Job           -> wait (never two snapshots at once)
//   3. a Job recorded as intent but missing (the operator died between the
//      status write and the create) -> create it again, same name
//   4. an S3 upload recorded as intent but not finished (the operator died or
//      the pass was cut off; uploads run inside the pass, so none is running
//      now) -> fail the attempt, and abandon what it left behind
//   5. suspended               -> wait
//   6. not due                 -> one-shot done, or wait for the schedule or
//                                 for the backoff after a failure
//   7. destination problem     -> no destination at all: wait (terminal); a
//                                 missing PVC or Secret fails the attempt, and
//                                 so does, for S3 from a cluster with client
//                                 TLS, a missing or broken TLS Secret (the
//                                 operator presents its client certificate)
//   8. source not available    -> wait (a snapshot needs a healthy quorum)
//   9. otherwise               -> start a snapshot Job (PVC) or upload (S3)
//
// Safety rules
// - A snapshot is read from one healthy voter, followers first, so the
//   leader is not burdened; it never changes the cluster.
// - Intent (the Job's name or the object key, and the scheduled time) is
//   written to status before the Job is created or the upload starts; names
//   are derived from the scheduled time, so a repeated create is refused as
//   AlreadyExists rather than run twice.
// - A failed attempt (a failed Job, a missing destination, an S3 error) is
//   retried after a delay that doubles per failure in a row
//   (RETRY_BASE_MS, at most RETRY_MAX_MS): a one-shot backup up to
//   ONE_SHOT_ATTEMPTS attempts (each Job already retries its Pod), a
//   scheduled one at its next scheduled time once the delay has passed.
import type { EtcdSnapshotRecord } from '../api/backup-types.js';
import { DEFAULT_BACKUP_TIMEOUT_SECONDS, DEFAULT_MAX_BACKUPS } from '../api/backup-types.js';
import type { BackupObservation, SnapshotJobObservation } from './observation.js';
import { snapshotsToDeleteAfterNext } from './retention.js';
import { s3SnapshotKey, s3SnapshotName } from './s3-keys.js';
import { ScheduleError, dueScheduleTime, nextScheduleTime, parseSchedule } from './schedule.js';

/** Jobs a one-shot backup runs before it reports Failed for good. */
export const ONE_SHOT_ATTEMPTS = 3;
/** First retry delay of a one-shot backup; doubles per failure. */
export const RETRY_BASE_MS = 10_000;
/** Longest delay between failed attempts. */
export const RETRY_MAX_MS = 300_000;
/** How soon to look again while something outside is not ready. */
export const NOT_READY_RETRY_MS = 10_000;

/** The delay after `failures` failed attempts in a row (at least 1). */
export function retryDelayMs(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, Math.min(failures - 1, 20)));
}

/** One step of the backup runbook. */
export type BackupStep =
  | {
      kind: 'StartSnapshot';
      job: string;
      scheduledTime: string;
      member: string;
      endpoint: string;
      /** Client certificate Secret for a cluster with client TLS. */
      clientTLSSecret?: string;
      image: string;
      claimName: string;
      folder: string;
      timeoutSeconds: number;
      deleteAfter: string[];
    }
  | {
      kind: 'UploadSnapshot';
      /** Object key; the snapshot's name is its last part. */
      key: string;
      name: string;
      /** The backup's S3 folder (retention lists it). */
      folder: string;
      scheduledTime: string;
      member: string;
      /** The member's client URL as the operator reaches it (https for a cluster with client TLS). */
      endpoint: string;
      /** Client certificate Secret the operator presents to a cluster with client TLS. */
      clientTLSSecret?: string;
      timeoutSeconds: number;
      maxBackups: number;
    }
  | { kind: 'RecordSuccess'; job: string; snapshot: EtcdSnapshotRecord }
  | { kind: 'RecordFailure'; job: string; message: string }
  /**
   * An attempt failed before or without a Job: `reason` names the problem
   * (DestinationNotFound, SecretNotFound, AccessDenied...). `abandonUpload`:
   * the object key of an interrupted upload whose leftovers to remove.
   */
  | { kind: 'FailAttempt'; reason: string; message: string; scheduledTime: string; abandonUpload?: string }
  | { kind: 'DeleteJob'; job: string }
  /** `requeueAfterMs` undefined: nothing will change until the spec does. */
  | { kind: 'Wait'; reason: string; message: string; requeueAfterMs?: number }
  | { kind: 'Done' };

/** A Job name for a scheduled time: `<backup>-<yyyymmdd>-<hhmmss>` (UTC), at most 56 characters. */
export function snapshotJobName(backup: string, scheduled: Date): string {
  const iso = scheduled.toISOString(); // 2026-11-28T02:00:00.000Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${backup.slice(0, 40)}-${stamp}`;
}

function finishedStep(obs: BackupObservation, job: SnapshotJobObservation): BackupStep {
  if (job.name !== obs.previousStatus.currentJob) return { kind: 'DeleteJob', job: job.name };
  if (job.state === 'Succeeded' && job.result !== undefined && 'snapshot' in job.result)
    return { kind: 'RecordSuccess', job: job.name, snapshot: job.result.snapshot };
  const message =
    job.state === 'Succeeded'
      ? `snapshot Job ${job.name} succeeded but left no usable result: ${job.result && 'error' in job.result ? job.result.error : 'no termination message'}`
      : `snapshot Job ${job.name} failed: ${job.failure ?? 'no reason given'}`;
  return { kind: 'RecordFailure', job: job.name, message };
}

/** A Wait while the backoff after a failed attempt runs, or undefined. */
function backoff(obs: BackupObservation): BackupStep | undefined {
  const status = obs.previousStatus;
  const failures = status.consecutiveFailures ?? 0;
  if (failures === 0 || status.lastFailureTime === undefined) return undefined;
  const retryAt = Date.parse(status.lastFailureTime) + retryDelayMs(failures);
  if (retryAt <= obs.now.getTime()) return undefined;
  const attempt =
    obs.spec.schedule === undefined ? `attempt ${failures + 1} of ${ONE_SHOT_ATTEMPTS}` : 'next attempt';
  return {
    kind: 'Wait',
    reason: 'RetryBackoff',
    message: `${attempt} after ${failures} failure(s) in a row, not before ${new Date(retryAt).toISOString()}`,
    requeueAfterMs: retryAt - obs.now.getTime(),
  };
}

/** When the next snapshot is due, a Wait until it is, or Done (one-shot finished). */
function due(obs: BackupObservation): Date | BackupStep {
  const status = obs.previousStatus;
  if (obs.spec.schedule === undefined) {
    if (status.lastSuccessTime !== undefined) return { kind: 'Done' };
    if ((status.consecutiveFailures ?? 0) >= ONE_SHOT_ATTEMPTS) return { kind: 'Done' };
    return backoff(obs) ?? obs.now;
  }
  let schedule;
  try {
    schedule = parseSchedule(obs.spec.schedule);
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    return { kind: 'Wait', reason: 'InvalidSchedule', message: `spec.schedule: ${err.message}` };
  }
  const last = new Date(status.lastScheduleTime ?? obs.createdAt);
  const when = dueScheduleTime(schedule, last, obs.now);
  if (when !== undefined) return backoff(obs) ?? when;
  const next = nextScheduleTime(schedule, last);
  return {
    kind: 'Wait',
    reason: 'Scheduled',
    message: `next snapshot at ${next.toISOString()}`,
    requeueAfterMs: Math.max(0, next.getTime() - obs.now.getTime()),
  };
}

function start(obs: BackupObservation, job: string, scheduled: Date): BackupStep {
  const destination = obs.destination;
  if (destination.ready === false) {
    if (destination.reason === 'DestinationNotSupported')
      return { kind: 'Wait', reason: destination.reason, message: destination.message };
    return {
      kind: 'FailAttempt',
      reason: destination.reason,
      message: destination.message,
      scheduledTime: scheduled.toISOString(),
    };
  }
  const source = obs.source;
  const cluster = obs.spec.clusterName;
  if (!source.found) {
    return {
      kind: 'Wait',
      reason: 'SourceNotFound',
      message: `EtcdCluster ${cluster} not found`,
      requeueAfterMs: NOT_READY_RETRY_MS,
    };
  }
  if (!source.available || source.member === undefined) {
    return {
      kind: 'Wait',
      reason: 'SourceUnavailable',
      message: `EtcdCluster ${cluster} has no healthy quorum to take a snapshot from`,
      requeueAfterMs: NOT_READY_RETRY_MS,
    };
  }
  const max = obs.spec.maxBackups ?? DEFAULT_MAX_BACKUPS;
  const timeoutSeconds = obs.spec.timeoutSeconds ?? DEFAULT_BACKUP_TIMEOUT_SECONDS;
  if (destination.kind === 's3') {
    // The upload runs in the operator, which presents its own client
    // certificate to a TLS cluster: without it there is nothing to stream.
    const tls = source.member.operatorTLS;
    if (source.member.clientTLSSecret !== undefined && tls?.ready !== true)
      return {
        kind: 'FailAttempt',
        reason: tls?.reason ?? 'TLSSecretNotFound',
        message:
          tls?.message ??
          `EtcdCluster ${cluster} uses client TLS, but the operator's client certificate (Secret ${source.member.clientTLSSecret}) was not read`,
        scheduledTime: scheduled.toISOString(),
      };
    return {
      kind: 'UploadSnapshot',
      key: s3SnapshotKey(destination.folder, cluster, scheduled),
      name: s3SnapshotName(cluster, scheduled),
      folder: destination.folder,
      scheduledTime: scheduled.toISOString(),
      member: source.member.name,
      endpoint: source.member.endpoint,
      ...(source.member.clientTLSSecret ? { clientTLSSecret: source.member.clientTLSSecret } : {}),
      timeoutSeconds,
      maxBackups: max,
    };
  }
  return {
    kind: 'StartSnapshot',
    job,
    scheduledTime: scheduled.toISOString(),
    member: source.member.name,
    endpoint: source.member.endpoint,
    ...(source.member.clientTLSSecret ? { clientTLSSecret: source.member.clientTLSSecret } : {}),
    image: source.image,
    claimName: destination.claimName,
    folder: destination.folder,
    timeoutSeconds,
    deleteAfter: snapshotsToDeleteAfterNext(obs.previousStatus.snapshots ?? [], max).map((s) => s.name),
  };
}

/** The one step to take now. */
export function decideBackup(obs: BackupObservation): BackupStep {
  const byName = [...obs.jobs].sort((a, b) => a.name.localeCompare(b.name));
  const finished = byName.find((j) => j.state !== 'Active');
  if (finished !== undefined) return finishedStep(obs, finished);
  const running = byName.find((j) => j.state === 'Active');
  if (running !== undefined) {
    return {
      kind: 'Wait',
      reason: 'SnapshotRunning',
      message: `snapshot Job ${running.name} is running`,
      requeueAfterMs: NOT_READY_RETRY_MS,
    };
  }
  const status = obs.previousStatus;
  if (status.currentJob !== undefined && obs.spec.destination.s3 !== undefined) {
    return {
      kind: 'FailAttempt',
      reason: 'UploadInterrupted',
      message: `the upload of ${status.currentJob} was interrupted before it was verified; it is discarded and the snapshot retried`,
      scheduledTime: status.lastScheduleTime ?? obs.now.toISOString(),
      abandonUpload: status.currentJob,
    };
  }
  if (status.currentJob !== undefined) {
    // Intent recorded, Job missing: create it again under the same name.
    return start(obs, status.currentJob, new Date(status.lastScheduleTime ?? obs.now.toISOString()));
  }
  if (obs.spec.suspend) return { kind: 'Wait', reason: 'Suspended', message: 'spec.suspend is true' };
  const when = due(obs);
  if (!(when instanceof Date)) {
    // A destination that can never work is reported at once, not at the first due time.
    if (
      obs.destination.ready === false &&
      obs.destination.reason === 'DestinationNotSupported' &&
      when.kind !== 'Done'
    )
      return { kind: 'Wait', reason: obs.destination.reason, message: obs.destination.message };
    return when;
  }
  return start(obs, snapshotJobName(obs.name, when), when);
}
