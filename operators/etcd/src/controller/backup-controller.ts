// The EtcdBackup controller: one pass observes (the backup, its source
// cluster, the destination PVC, its snapshot Jobs and their Pods' results),
// decides one step (../backup/decide.ts), writes status with that step as
// intent, then carries it out and records an Event. It owns its Jobs, so a
// Job finishing requeues the backup at once.
import type { Client, Manager, ObjectKey, ReconcileOutcome } from '@switchboard/core';
import { AlreadyExistsError, EventRecorder, Outcome, generationChanged, isNotFound } from '@switchboard/core';

import type { EtcdBackup } from '../api/backup-types.js';
import { BackupConditionType, ETCD_BACKUP_KIND } from '../api/backup-types.js';
import type { EtcdCluster } from '../api/types.js';
import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../api/types.js';
import type { BackupStep } from '../backup/decide.js';
import { decideBackup } from '../backup/decide.js';
import type {
  BackupObservation,
  DestinationObservation,
  SnapshotJobObservation,
  SourceObservation,
} from '../backup/observation.js';
import { parseSnapshotResult } from '../backup/snapshot-result.js';
import { computeBackupStatus } from '../backup/status.js';
import type { PersistentVolumeClaim, Pod } from '../kube/kube-types.js';
import { PodType, PvcType } from '../kube/kube-types.js';
import { FIELD_MANAGER, clusterSelectorString } from '../kube/labels.js';
import { etcdImage } from '../kube/member-pod.js';
import type { Job } from '../kube/snapshot-job.js';
import {
  BACKUP_JOB_LABEL,
  BACKUP_LABEL,
  JobType,
  SCHEDULED_TIME_ANNOTATION,
  SOURCE_MEMBER_ANNOTATION,
  snapshotJob,
} from '../kube/snapshot-job.js';
import { clientURLOfIP } from '../runbook/member-names.js';

/** Name of the controller (metrics label). */
export const ETCD_BACKUP_CONTROLLER_NAME = 'etcdbackup';
const BackupType = { apiVersion: ETCD_API_VERSION, kind: ETCD_BACKUP_KIND } as const;
const ClusterType = { apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND } as const;

/** Options of {@link addEtcdBackupController}. */
export interface EtcdBackupControllerOptions {
  /** Backups reconciled at once (default 2). */
  maxConcurrentReconciles?: number;
  /** Clock (tests). */
  now?: () => Date;
}

async function observeSource(
  client: Client,
  namespace: string,
  clusterName: string,
  signal?: AbortSignal,
): Promise<SourceObservation> {
  let cluster: EtcdCluster;
  try {
    cluster = await client
      .resource<EtcdCluster>(ClusterType)
      .get({ namespace, name: clusterName }, signal ? { signal } : {});
  } catch (err) {
    if (isNotFound(err)) return { found: false };
    throw err;
  }
  const status = cluster.status ?? {};
  const available = status.conditions?.some((c) => c.type === 'Available' && c.status === 'True') ?? false;
  const image = etcdImage(cluster, status.currentVersion ?? cluster.spec.version);
  const pods = await client
    .resource<Pod>(PodType)
    .list({ namespace, labelSelector: clusterSelectorString(clusterName), ...(signal ? { signal } : {}) });
  const ipOf = new Map(
    pods.items
      .filter((p) => p.status?.podIP && !p.metadata.deletionTimestamp)
      .map((p) => [p.metadata.name ?? '', p.status?.podIP ?? '']),
  );
  // Followers first: a snapshot streams the whole keyspace, and the leader has enough to do.
  const candidates = (status.members ?? [])
    .filter((m) => m.healthy && !m.learner && ipOf.has(m.name))
    .sort((a, b) => Number(a.leader) - Number(b.leader) || a.name.localeCompare(b.name));
  const chosen = candidates[0];
  return {
    found: true,
    available,
    image,
    ...(chosen
      ? { member: { name: chosen.name, endpoint: clientURLOfIP(ipOf.get(chosen.name) ?? '') } }
      : {}),
  };
}

async function observeDestination(
  client: Client,
  backup: EtcdBackup,
  signal?: AbortSignal,
): Promise<DestinationObservation> {
  const namespace = backup.metadata.namespace ?? 'default';
  const { pvc, s3 } = backup.spec.destination;
  if (pvc === undefined) {
    return {
      ready: false,
      reason: 'DestinationNotSupported',
      message: s3
        ? `S3-compatible destinations (${s3.endpoint}, bucket ${s3.bucket}) are not implemented by this operator version; use spec.destination.pvc`
        : 'spec.destination names no destination',
    };
  }
  try {
    await client
      .resource<PersistentVolumeClaim>(PvcType)
      .get({ namespace, name: pvc.claimName }, signal ? { signal } : {});
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return {
      ready: false,
      reason: 'DestinationNotFound',
      message: `PersistentVolumeClaim ${pvc.claimName} (spec.destination.pvc.claimName) not found in namespace ${namespace}`,
    };
  }
  return { ready: true, claimName: pvc.claimName, folder: pvc.path ?? backup.metadata.name ?? '' };
}

function condition(job: Job, type: string): { reason?: string; message?: string } | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

interface TerminatedState {
  exitCode: number;
  message?: string;
  reason?: string;
  finishedAt?: string;
}

function terminatedSnapshot(pod: Pod): TerminatedState | undefined {
  const statuses = (
    pod.status as { containerStatuses?: { name: string; state?: { terminated?: TerminatedState } }[] }
  )?.containerStatuses;
  return statuses?.find((c) => c.name === 'snapshot')?.state?.terminated;
}

async function observeJobs(
  client: Client,
  backup: EtcdBackup,
  folder: string,
  now: Date,
  signal?: AbortSignal,
): Promise<SnapshotJobObservation[]> {
  const namespace = backup.metadata.namespace ?? 'default';
  const name = backup.metadata.name ?? '';
  const call = signal ? { signal } : {};
  const jobs = await client
    .resource<Job>(JobType)
    .list({ namespace, labelSelector: `${BACKUP_LABEL}=${name}`, ...call });
  return Promise.all(
    jobs.items
      .filter((j) => !j.metadata.deletionTimestamp)
      .map(async (job): Promise<SnapshotJobObservation> => {
        const jobName = job.metadata.name ?? '';
        const scheduledTime = job.metadata.annotations?.[SCHEDULED_TIME_ANNOTATION];
        const member = job.metadata.annotations?.[SOURCE_MEMBER_ANNOTATION];
        const base = {
          name: jobName,
          ...(scheduledTime ? { scheduledTime } : {}),
          ...(member ? { member } : {}),
        };
        const complete = condition(job, 'Complete');
        const failed = condition(job, 'Failed');
        if (!complete && !failed) return { ...base, state: 'Active' };
        const pods = await client
          .resource<Pod>(PodType)
          .list({ namespace, labelSelector: `${BACKUP_JOB_LABEL}=${jobName}`, ...call });
        const states = pods.items
          .map(terminatedSnapshot)
          .filter((t): t is TerminatedState => t !== undefined)
          .sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? ''));
        if (complete) {
          const ok = states.find((t) => t.exitCode === 0);
          if (ok?.message === undefined)
            return { ...base, state: 'Succeeded', result: { error: 'no termination message' } };
          try {
            const snapshot = parseSnapshotResult(ok.message, {
              folder,
              ...(member ? { member } : {}),
              completionTime: ok.finishedAt ?? now.toISOString(),
            });
            return { ...base, state: 'Succeeded', result: { snapshot } };
          } catch (err) {
            return {
              ...base,
              state: 'Succeeded',
              result: { error: err instanceof Error ? err.message : String(err) },
            };
          }
        }
        const last = states.at(-1);
        const words = last?.message?.trim().split('\n').slice(-5).join(' | ').slice(-600);
        const failure = [failed?.reason, failed?.message, words ? `last output: ${words}` : undefined]
          .filter(Boolean)
          .join(': ');
        return { ...base, state: 'Failed', failure };
      }),
  );
}

/** Observes one backup. */
export async function observeBackup(
  client: Client,
  backup: EtcdBackup,
  now: Date,
  signal?: AbortSignal,
): Promise<BackupObservation> {
  const namespace = backup.metadata.namespace ?? 'default';
  const [source, destination] = await Promise.all([
    observeSource(client, namespace, backup.spec.clusterName, signal),
    observeDestination(client, backup, signal),
  ]);
  const folder = backup.spec.destination.pvc?.path ?? backup.metadata.name ?? '';
  return {
    name: backup.metadata.name ?? '',
    namespace,
    generation: backup.metadata.generation ?? 0,
    createdAt: backup.metadata.creationTimestamp ?? now.toISOString(),
    spec: backup.spec,
    previousStatus: backup.status ?? {},
    source,
    destination,
    jobs: await observeJobs(client, backup, folder, now, signal),
    now,
  };
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
      const blocked = [
        'SourceNotFound',
        'SourceUnavailable',
        'DestinationNotFound',
        'DestinationNotSupported',
        'InvalidSchedule',
      ];
      if (blocked.includes(step.reason) && before?.reason !== step.reason)
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
  deps: { client: Client; recorder: EventRecorder; now?: () => Date },
  signal?: AbortSignal,
): Promise<number | undefined> {
  const call = signal ? { signal } : {};
  const backups = deps.client.resource<EtcdBackup>(BackupType);
  let backup: EtcdBackup;
  try {
    backup = await backups.get(key, call);
  } catch (err) {
    if (isNotFound(err)) return undefined;
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
        { client: manager.client, recorder, ...(opts.now ? { now: opts.now } : {}) },
        ctx.signal,
      );
      return after === undefined ? Outcome.done() : Outcome.requeueAfter(after);
    });
}
