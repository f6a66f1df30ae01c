// Carries out the one step an EtcdBackup pass chose (../backup/decide.ts):
// one executor per step kind, in a table keyed by kind, each ending with
// when to look again. Status was written with the step as intent before
// (./reconcile-backup.ts); an S3 snapshot is taken here, bounded by
// spec.timeoutSeconds, and its result written by a second status patch.
// Jobs are created and deleted idempotently, so a pass cut short repeats
// its step harmlessly.
import type { Client, ReconcileOutcome } from '@switchboard/core';
import { AlreadyExistsError, Outcome, findStatusCondition, isNotFound } from '@switchboard/core';

import type { EtcdBackup, EtcdBackupStatus } from '../api/backup-types.js';
import { BackupConditionType, DEFAULT_BACKUP_TIMEOUT_SECONDS } from '../api/backup-types.js';
import type { BackupStep } from '../backup/decide.js';
import type { BackupObservation } from '../backup/observation.js';
import { BLOCKED_REASONS, computeBackupStatus } from '../backup/status.js';
import type { EtcdClientFactory } from '../etcd/etcd-client.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import type { Job } from '../kube/snapshot-job.js';
import { JobType, snapshotJob } from '../kube/snapshot-job.js';
import { S3BackupError } from '../s3/s3-store.js';
import type { S3SnapshotContext } from './upload-snapshot.js';
import { discardS3Upload, pruneS3Snapshots, takeS3Snapshot } from './upload-snapshot.js';

/** What executing a backup step needs. */
export interface BackupStepContext {
  client: Client;
  record(type: 'Normal' | 'Warning', reason: string, note: string): Promise<void>;
  /** Writes status (the second write of a pass that took an S3 snapshot). */
  writeStatus(status: EtcdBackupStatus): Promise<void>;
  etcd: EtcdClientFactory;
  now: () => Date;
  signal?: AbortSignal;
}

/** The pass a step runs in: the EtcdBackup as read, the observation, and the status written as intent. */
export interface BackupPass {
  backup: EtcdBackup;
  obs: BackupObservation;
  written: EtcdBackupStatus;
}

type BackupStepKind = BackupStep['kind'];
type BackupStepOf<K extends BackupStepKind> = Extract<BackupStep, { kind: K }>;

/** Carries out one kind of backup step and says when to look again. */
type BackupStepExecutor<K extends BackupStepKind> = (
  ctx: BackupStepContext,
  pass: BackupPass,
  step: BackupStepOf<K>,
) => Promise<ReconcileOutcome>;

/** After a step that changed something: look again shortly, for the Job or the next stage. */
const afterStep = Outcome.requeueAfter(1000);

function s3Context(
  ctx: BackupStepContext,
  backup: EtcdBackup,
  obs: BackupObservation,
  signal: AbortSignal,
): S3SnapshotContext | undefined {
  const destination = backup.spec.destination.s3;
  if (destination === undefined) return undefined;
  // A cluster with client TLS: every call presents the operator's certificate, read by this pass.
  const tls = obs.source.found ? obs.source.member?.operatorTLS : undefined;
  const material = tls?.ready ? tls.material : undefined;
  return {
    client: ctx.client,
    etcd: material ? (endpoint) => ctx.etcd(endpoint, material) : ctx.etcd,
    namespace: obs.namespace,
    cluster: obs.spec.clusterName,
    destination,
    now: ctx.now,
    signal,
  };
}

/** Takes the S3 snapshot the status now names, then records its outcome in status and an Event. */
const uploadSnapshot: BackupStepExecutor<'UploadSnapshot'> = async (ctx, { backup, obs, written }, step) => {
  const timeoutMs = (step.timeoutSeconds || DEFAULT_BACKUP_TIMEOUT_SECONDS) * 1000;
  const bounded = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(ctx.signal ? [ctx.signal] : [])]);
  const s3 = s3Context(ctx, backup, obs, bounded);
  if (s3 === undefined) throw new Error(`EtcdBackup ${obs.name}: an upload step without spec.destination.s3`);
  const over = step.clientTLSSecret ? ` over TLS (client certificate of Secret ${step.clientTLSSecret})` : '';
  await ctx.record(
    'Normal',
    'SnapshotStarted',
    `member ${step.member} streams its snapshot to ${step.key}${over}`,
  );
  const after: BackupObservation = { ...obs, previousStatus: written };
  let result: BackupStep;
  try {
    const snapshot = await takeS3Snapshot(s3, step);
    result = { kind: 'RecordSuccess', job: step.key, snapshot };
  } catch (err) {
    // Shutting down: leave the recorded intent; the next pass discards the upload.
    if (!(err instanceof S3BackupError) || ctx.signal?.aborted) throw err;
    result = {
      kind: 'FailAttempt',
      reason: err.reason,
      message: err.message,
      scheduledTime: step.scheduledTime,
    };
  }
  await ctx.writeStatus(computeBackupStatus({ ...after, now: ctx.now() }, result));
  if (result.kind === 'RecordSuccess') {
    const s = result.snapshot;
    await ctx.record(
      'Normal',
      'SnapshotSucceeded',
      `${s.path}: revision ${s.revision}, ${s.size} bytes, sha256 ${s.sha256}`,
    );
    try {
      const pruned = await pruneS3Snapshots(
        {
          ...s3,
          signal: AbortSignal.any([AbortSignal.timeout(60_000), ...(ctx.signal ? [ctx.signal] : [])]),
        },
        step,
      );
      if (pruned.length > 0)
        await ctx.record(
          'Normal',
          'SnapshotsPruned',
          `deleted ${pruned.join(', ')} (spec.maxBackups ${step.maxBackups})`,
        );
    } catch (err) {
      if (!(err instanceof S3BackupError)) throw err;
      await ctx.record('Warning', 'PruneFailed', `retention after ${step.key}: ${err.message}`);
    }
  } else if (result.kind === 'FailAttempt') {
    await ctx.record('Warning', result.reason, result.message);
  }
  return afterStep;
};

async function deleteJob(ctx: BackupStepContext, namespace: string, name: string): Promise<void> {
  try {
    await ctx.client
      .resource<Job>(JobType)
      .delete(
        { namespace, name },
        { propagationPolicy: 'Background', ...(ctx.signal ? { signal: ctx.signal } : {}) },
      );
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

const failAttempt: BackupStepExecutor<'FailAttempt'> = async (ctx, { backup, obs }, step) => {
  await ctx.record('Warning', step.reason, step.message);
  const s3 = s3Context(
    ctx,
    backup,
    obs,
    AbortSignal.any([AbortSignal.timeout(30_000), ...(ctx.signal ? [ctx.signal] : [])]),
  );
  if (step.abandonUpload !== undefined && s3 !== undefined) {
    // Best effort: the .part is never counted, and the next attempt removes it too.
    await discardS3Upload(s3, step.abandonUpload).catch(() => undefined);
  }
  return afterStep;
};

const startSnapshot: BackupStepExecutor<'StartSnapshot'> = async (ctx, { backup }, step) => {
  try {
    await ctx.client.resource<Job>(JobType).create(snapshotJob(backup, step), {
      fieldManager: FIELD_MANAGER,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
  await ctx.record(
    'Normal',
    'SnapshotStarted',
    `Job ${step.job} snapshots member ${step.member} into ${step.claimName}/${step.folder}`,
  );
  return afterStep;
};

const recordSuccess: BackupStepExecutor<'RecordSuccess'> = async (ctx, { obs }, step) => {
  await deleteJob(ctx, obs.namespace, step.job);
  await ctx.record(
    'Normal',
    'SnapshotSucceeded',
    `${step.snapshot.path}: revision ${step.snapshot.revision}, ${step.snapshot.size} bytes, sha256 ${step.snapshot.sha256}`,
  );
  return afterStep;
};

const recordFailure: BackupStepExecutor<'RecordFailure'> = async (ctx, { obs }, step) => {
  await deleteJob(ctx, obs.namespace, step.job);
  await ctx.record('Warning', 'SnapshotFailed', step.message);
  return afterStep;
};

const deleteOldJob: BackupStepExecutor<'DeleteJob'> = async (ctx, { obs }, step) => {
  await deleteJob(ctx, obs.namespace, step.job);
  return afterStep;
};

const wait: BackupStepExecutor<'Wait'> = async (ctx, { obs }, step) => {
  // Say it once when a due snapshot becomes blocked, not on every pass.
  const before = findStatusCondition(obs.previousStatus.conditions, BackupConditionType.Succeeded);
  if (BLOCKED_REASONS.has(step.reason) && before?.reason !== step.reason)
    await ctx.record('Warning', step.reason, step.message);
  // No delay: nothing changes until the spec does.
  return step.requeueAfterMs === undefined ? Outcome.done() : Outcome.requeueAfter(step.requeueAfterMs);
};

const done: BackupStepExecutor<'Done'> = () => Promise.resolve(Outcome.done());

/** The executor of every backup step kind: a kind added to BackupStep does not compile without one. */
const BACKUP_STEP_EXECUTORS: { readonly [K in BackupStepKind]: BackupStepExecutor<K> } = {
  UploadSnapshot: uploadSnapshot,
  FailAttempt: failAttempt,
  StartSnapshot: startSnapshot,
  RecordSuccess: recordSuccess,
  RecordFailure: recordFailure,
  DeleteJob: deleteOldJob,
  Wait: wait,
  Done: done,
};

function executorOf<K extends BackupStepKind>(kind: K): BackupStepExecutor<K> {
  return BACKUP_STEP_EXECUTORS[kind];
}

/** Executes one backup step (status names it already) and says when to look again. */
export function executeBackupStep(
  ctx: BackupStepContext,
  pass: BackupPass,
  step: BackupStep,
): Promise<ReconcileOutcome> {
  return executorOf(step.kind)(ctx, pass, step);
}
