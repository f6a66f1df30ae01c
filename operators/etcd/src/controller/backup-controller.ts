// The EtcdBackup controller: one pass observes (observe-backup.ts: the
// backup, its source cluster, the destination, its snapshot Jobs), decides
// one step (../backup/decide.ts), writes status with that step as intent,
// then carries it out and records an Event. It owns its Jobs, so a Job
// finishing requeues the backup at once. An S3 snapshot is taken by the pass
// itself (upload-snapshot.ts), bounded by spec.timeoutSeconds, and its result
// is written to status by a second patch of the same pass; from a cluster
// with client TLS it presents the operator's client certificate, read by the
// same pass, to the member's address as the operator's addressing says.
import type { Client, Manager, ReconcileOutcome, ReconcileRequest } from '@switchboard/core';
import {
  AlreadyExistsError,
  EventRecorder,
  Outcome,
  findStatusCondition,
  generationChanged,
  isNotFound,
} from '@switchboard/core';

import { EtcdBackupResource } from '../api/backup-crd.js';
import type { EtcdBackup, EtcdBackupStatus } from '../api/backup-types.js';
import { BackupConditionType, DEFAULT_BACKUP_TIMEOUT_SECONDS } from '../api/backup-types.js';
import type { BackupStep } from '../backup/decide.js';
import { decideBackup } from '../backup/decide.js';
import type { BackupObservation } from '../backup/observation.js';
import { BLOCKED_REASONS, computeBackupStatus } from '../backup/status.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import type { BackupMetricsSink } from '../metrics/operator-metrics.js';
import { EtcdBackupMetrics } from '../metrics/operator-metrics.js';
import type { Job } from '../kube/snapshot-job.js';
import { JobType, snapshotJob } from '../kube/snapshot-job.js';
import type { EtcdClientFactory } from '../etcd/etcd-client.js';
import { gatewayClientFactory, gatewayClientFactoryClosedWith } from '../etcd/gateway-client.js';
import type { MemberAddressing } from '../runbook/member-names.js';
import { defaultMemberAddressing } from '../runbook/member-names.js';
import { S3BackupError } from '../s3/s3-store.js';
import { observeBackup } from './observe-backup.js';
import type { S3SnapshotContext } from './upload-snapshot.js';
import { discardS3Upload, pruneS3Snapshots, takeS3Snapshot } from './upload-snapshot.js';

/** Name of the controller (metrics label). */
export const ETCD_BACKUP_CONTROLLER_NAME = 'etcdbackup';

/** Options of {@link addEtcdBackupController}. */
export interface EtcdBackupControllerOptions {
  /** Backups reconciled at once (default 2). */
  maxConcurrentReconciles?: number;
  /** Clock (tests). */
  now?: () => Date;
  /** Where backup metrics go (default {@link EtcdBackupMetrics} on `manager.registry`). */
  metrics?: BackupMetricsSink;
  /** Client of one etcd member, for S3 snapshots (default: {@link gatewayClientFactory}). */
  etcdClient?: EtcdClientFactory;
  /**
   * How the operator reaches a member for the S3 snapshots it streams:
   * `dns` (its name under the headless Service) or `pod-ip`. Default
   * {@link defaultMemberAddressing}, as for the EtcdCluster controller.
   */
  memberAddressing?: MemberAddressing;
}

interface ExecuteContext {
  client: Client;
  record(type: 'Normal' | 'Warning', reason: string, note: string): Promise<void>;
  /** Writes status (the second write of a pass that took an S3 snapshot). */
  writeStatus(status: EtcdBackupStatus): Promise<void>;
  etcd: EtcdClientFactory;
  now: () => Date;
  signal?: AbortSignal;
}

function s3Context(
  ctx: ExecuteContext,
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
async function uploadSnapshot(
  ctx: ExecuteContext,
  backup: EtcdBackup,
  obs: BackupObservation,
  step: Extract<BackupStep, { kind: 'UploadSnapshot' }>,
  written: EtcdBackupStatus,
): Promise<void> {
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
  written: EtcdBackupStatus,
): Promise<void> {
  const namespace = obs.namespace;
  switch (step.kind) {
    case 'UploadSnapshot':
      await uploadSnapshot(ctx, backup, obs, step, written);
      return;
    case 'FailAttempt': {
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
      return;
    }
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
      const before = findStatusCondition(obs.previousStatus.conditions, BackupConditionType.Succeeded);
      if (BLOCKED_REASONS.has(step.reason) && before?.reason !== step.reason)
        await ctx.record('Warning', step.reason, step.message);
      return;
    }
    case 'Done':
      return;
  }
}

/**
 * Runs one pass for the EtcdBackup `req` names; the outcome says when to
 * look again: soon after a step, when a Wait says, or only on a change.
 */
export async function reconcileEtcdBackup(
  req: ReconcileRequest,
  deps: {
    client: Client;
    recorder: EventRecorder;
    now?: () => Date;
    metrics?: BackupMetricsSink;
    etcdClient?: EtcdClientFactory;
    /** How the operator reaches members for S3 snapshots (default `pod-ip`). */
    addressing?: MemberAddressing;
  },
  signal?: AbortSignal,
): Promise<ReconcileOutcome> {
  const now = deps.now ?? (() => new Date());
  const call = signal ? { signal } : {};
  const backups = EtcdBackupResource.client(deps.client);
  let backup: EtcdBackup;
  try {
    backup = await backups.get(req, call);
  } catch (err) {
    if (isNotFound(err)) {
      deps.metrics?.deleted(req);
      return Outcome.done();
    }
    throw err;
  }
  if (backup.metadata.deletionTimestamp !== undefined) return Outcome.done();
  const obs = await observeBackup(deps.client, backup, now(), signal, deps.addressing ?? 'pod-ip');
  const step = decideBackup(obs);
  const status = computeBackupStatus(obs, step);
  const writeStatus = async (s: EtcdBackupStatus): Promise<void> => {
    // Merge patch: fields that were cleared must be sent as null to be removed.
    const body = {
      status: {
        ...s,
        currentJob: s.currentJob ?? null,
        nextScheduleTime: s.nextScheduleTime ?? null,
      },
    };
    await backups.status.patch(req, { type: 'merge', body }, { fieldManager: FIELD_MANAGER, ...call });
  };
  await writeStatus(status);
  const regarding = { ...backup, apiVersion: EtcdBackupResource.apiVersion, kind: EtcdBackupResource.kind };
  // A pass run without a factory makes its own and closes its TLS Agents after
  // (a module-wide one would keep them, and their sockets, for the process's life).
  const ownEtcd = deps.etcdClient === undefined ? gatewayClientFactory() : undefined;
  try {
    await executeBackupStep(
      {
        client: deps.client,
        record: (type, reason, note) =>
          deps.recorder.record(regarding, { type, reason, action: 'Backup', note }),
        writeStatus,
        etcd: deps.etcdClient ?? ownEtcd!,
        now,
        ...call,
      },
      backup,
      obs,
      step,
      status,
    );
  } finally {
    await ownEtcd?.close();
  }
  if (step.kind === 'RecordSuccess' || step.kind === 'RecordFailure')
    deps.metrics?.finished(req, step.kind === 'RecordSuccess' ? 'success' : 'failure');
  deps.metrics?.observed(req, status.lastSuccessTime);
  switch (step.kind) {
    case 'Done':
      return Outcome.done();
    case 'Wait':
      return step.requeueAfterMs === undefined ? Outcome.done() : Outcome.requeueAfter(step.requeueAfterMs);
    default:
      return Outcome.requeueAfter(1000);
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
  const addressing = opts.memberAddressing ?? defaultMemberAddressing();
  const etcdClient = opts.etcdClient ?? gatewayClientFactoryClosedWith(manager);
  manager
    .controller()
    .named(ETCD_BACKUP_CONTROLLER_NAME)
    .for(EtcdBackupResource, { predicates: [generationChanged] })
    .owns(JobType)
    .withOptions({ maxConcurrentReconciles: opts.maxConcurrentReconciles ?? 2 })
    .build((req, ctx): Promise<ReconcileOutcome> =>
      reconcileEtcdBackup(
        req,
        {
          client: manager.client,
          recorder,
          metrics,
          etcdClient,
          addressing,
          ...(opts.now ? { now: opts.now } : {}),
        },
        ctx.signal,
      ),
    );
}
