// The EtcdBackup controller: one pass observes (observe-backup.ts: the
// backup, its source cluster, the destination PVC, its snapshot Jobs),
// decides one step (../backup/decide.ts), writes status with that step as
// intent, then carries it out and records an Event. It owns its Jobs, so a
// Job finishing requeues the backup at once.
import type { Client, Manager, ObjectKey, ReconcileOutcome } from '@switchboard/core';
import { AlreadyExistsError, EventRecorder, Outcome, generationChanged, isNotFound } from '@switchboard/core';

import type { EtcdBackup } from '../api/backup-types.js';
import { BackupConditionType, ETCD_BACKUP_KIND } from '../api/backup-types.js';
import { ETCD_API_VERSION } from '../api/types.js';
import type { BackupStep } from '../backup/decide.js';
import { decideBackup } from '../backup/decide.js';
import type { BackupObservation } from '../backup/observation.js';
import { BLOCKED_REASONS, computeBackupStatus } from '../backup/status.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import type { BackupMetricsSink } from '../metrics/operator-metrics.js';
import { EtcdBackupMetrics } from '../metrics/operator-metrics.js';
import type { Job } from '../kube/snapshot-job.js';
import { JobType, snapshotJob } from '../kube/snapshot-job.js';
import { observeBackup } from './observe-backup.js';

/** Name of the controller (metrics label). */
export const ETCD_BACKUP_CONTROLLER_NAME = 'etcdbackup';
const BackupType = { apiVersion: ETCD_API_VERSION, kind: ETCD_BACKUP_KIND } as const;

/** Options of {@link addEtcdBackupController}. */
export interface EtcdBackupControllerOptions {
  /** Backups reconciled at once (default 2). */
  maxConcurrentReconciles?: number;
  /** Clock (tests). */
  now?: () => Date;
  /** Where backup metrics go (default {@link EtcdBackupMetrics} on `manager.registry`). */
  metrics?: BackupMetricsSink;
}

interface ExecuteContext {
  client: Client;
  record(type: 'Normal' | 'Warning', reason: string, note: string): Promise<void>;
  signal?: AbortSignal;
}

async function deleteJob(ctx: ExecuteContext, namespace: string, name: string): Promise<void> {
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

async function executeBackupStep(
  ctx: ExecuteContext,
  backup: EtcdBackup,
  obs: BackupObservation,
  step: BackupStep,
): Promise<void> {
  const namespace = obs.namespace;
  switch (step.kind) {
    case 'StartSnapshot':
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
      return;
    case 'RecordSuccess':
      await deleteJob(ctx, namespace, step.job);
      await ctx.record(
        'Normal',
        'SnapshotSucceeded',
        `${step.snapshot.path}: revision ${step.snapshot.revision}, ${step.snapshot.size} bytes, sha256 ${step.snapshot.sha256}`,
      );
      return;
    case 'RecordFailure':
      await deleteJob(ctx, namespace, step.job);
      await ctx.record('Warning', 'SnapshotFailed', step.message);
      return;
    case 'DeleteJob':
      await deleteJob(ctx, namespace, step.job);
      return;
    case 'Wait': {
      // Say it once when a due snapshot becomes blocked, not on every pass.
      const before = obs.previousStatus.conditions?.find((c) => c.type === BackupConditionType.Succeeded);
      if (BLOCKED_REASONS.has(step.reason) && before?.reason !== step.reason)
        await ctx.record('Warning', step.reason, step.message);
      return;
    }
    case 'Done':
      return;
  }
}

/** Runs one pass for the EtcdBackup at `key`; returns when to look again (undefined: only on change). */
export async function reconcileEtcdBackup(
  key: ObjectKey,
  deps: { client: Client; recorder: EventRecorder; now?: () => Date; metrics?: BackupMetricsSink },
  signal?: AbortSignal,
): Promise<number | undefined> {
  const call = signal ? { signal } : {};
  const backups = deps.client.resource<EtcdBackup>(BackupType);
  let backup: EtcdBackup;
  try {
    backup = await backups.get(key, call);
  } catch (err) {
    if (isNotFound(err)) {
      deps.metrics?.deleted(key);
      return undefined;
    }
    throw err;
  }
  if (backup.metadata.deletionTimestamp !== undefined) return undefined;
  const obs = await observeBackup(deps.client, backup, (deps.now ?? (() => new Date()))(), signal);
  const step = decideBackup(obs);
  const status = computeBackupStatus(obs, step);
  // Merge patch: fields that were cleared must be sent as null to be removed.
  const body = {
    status: {
      ...status,
      currentJob: status.currentJob ?? null,
      nextScheduleTime: status.nextScheduleTime ?? null,
    },
  };
  await backups.status.patch(key, { type: 'merge', body }, { fieldManager: FIELD_MANAGER, ...call });
  const regarding = { ...backup, apiVersion: ETCD_API_VERSION, kind: ETCD_BACKUP_KIND };
  await executeBackupStep(
    {
      client: deps.client,
      record: (type, reason, note) =>
        deps.recorder.record(regarding, { type, reason, action: 'Backup', note }),
      ...call,
    },
    backup,
    obs,
    step,
  );
  if (step.kind === 'RecordSuccess' || step.kind === 'RecordFailure')
    deps.metrics?.finished(key, step.kind === 'RecordSuccess' ? 'success' : 'failure');
  deps.metrics?.observed(key, status.lastSuccessTime);
  switch (step.kind) {
    case 'Done':
      return undefined;
    case 'Wait':
      return step.requeueAfterMs;
    default:
      return 1000;
  }
}

/**
 * Adds the EtcdBackup controller to a manager.
 *
 * @example
 * ```ts
 * addEtcdController(manager);
 * addEtcdBackupController(manager);
 * ```
 */
export function addEtcdBackupController(manager: Manager, opts: EtcdBackupControllerOptions = {}): void {
  const recorder = new EventRecorder(manager.client, {
    reportingController: 'etcd.switchboard.dev/etcd-operator',
    logger: manager.logger,
  });
  const metrics = opts.metrics ?? new EtcdBackupMetrics(manager.registry);
  manager
    .controller()
    .named(ETCD_BACKUP_CONTROLLER_NAME)
    .for(BackupType, { predicates: [generationChanged] })
    .owns(JobType)
    .withOptions({ maxConcurrentReconciles: opts.maxConcurrentReconciles ?? 2 })
    .build(async (req, ctx): Promise<ReconcileOutcome> => {
      const key = { name: req.name, ...(req.namespace ? { namespace: req.namespace } : {}) };
      const after = await reconcileEtcdBackup(
        key,
        { client: manager.client, recorder, metrics, ...(opts.now ? { now: opts.now } : {}) },
        ctx.signal,
      );
      return after === undefined ? Outcome.done() : Outcome.requeueAfter(after);
    });
}
