// Reads the world for one EtcdBackup pass, live from the API server: the
// source EtcdCluster (available? which member to read from, at which image,
// and for an S3 snapshot of a cluster with client TLS the operator's client
// certificate), the destination (the PVC exists; the S3 credentials Secret
// exists and holds both keys), and the backup's snapshot Jobs with the
// results their Pods left in their termination messages.
import type { Client } from '@switchboard/core';
import { isNotFound, isStatusConditionTrue } from '@switchboard/core';

import type { EtcdBackup } from '../api/backup-types.js';
import { EtcdClusterResource } from '../api/crd.js';
import type { EtcdCluster } from '../api/types.js';
import { ConditionType } from '../api/types.js';
import type {
  BackupObservation,
  DestinationObservation,
  OperatorTLSObservation,
  SnapshotJobObservation,
  SourceObservation,
} from '../backup/observation.js';
import { s3BackupFolder } from '../backup/s3-keys.js';
import { parseSnapshotResult } from '../backup/snapshot-result.js';
import type { PersistentVolumeClaim, Pod } from '../kube/kube-types.js';
import { PodType, PvcType } from '../kube/kube-types.js';
import { clusterSelectorString } from '../kube/labels.js';
import { etcdImage } from '../kube/member-pod.js';
import type { Job } from '../kube/snapshot-job.js';
import {
  BACKUP_JOB_LABEL,
  BACKUP_LABEL,
  JobType,
  SCHEDULED_TIME_ANNOTATION,
  SOURCE_MEMBER_ANNOTATION,
} from '../kube/snapshot-job.js';
import type { MemberAddressing } from '../runbook/member-names.js';
import { clientURLOfIP, clientURLOfName, memberClientURL } from '../runbook/member-names.js';
import { readS3Credentials } from '../s3/credentials.js';
import { S3BackupError } from '../s3/s3-store.js';
import { clusterTLSSecrets } from '../tls/cluster-tls.js';
import { loadClientTLS, TLSSecretError } from './ensure-tls.js';

/** How the backup's reader reaches the source: the operator streams S3 snapshots itself. */
interface SourceReader {
  /** The destination is S3: the operator, not a Job, reads the snapshot. */
  operator: boolean;
  /** How the operator reaches members (its own client URL and TLS server name). */
  addressing: MemberAddressing;
}

/** The operator's client certificate for a TLS cluster, or why it cannot be used. */
async function operatorTLS(
  client: Client,
  cluster: EtcdCluster,
  addressing: MemberAddressing,
  signal?: AbortSignal,
): Promise<OperatorTLSObservation> {
  try {
    const material = await loadClientTLS(client, cluster, addressing, signal);
    if (material === undefined) throw new Error('loadClientTLS: a cluster with client TLS gave no material');
    return { ready: true, material };
  } catch (err) {
    if (!(err instanceof TLSSecretError)) throw err;
    return {
      ready: false,
      reason: err.reason,
      message: `client TLS of EtcdCluster ${cluster.metadata.name ?? ''}: ${err.message}`,
    };
  }
}

async function observeSource(
  client: Client,
  namespace: string,
  clusterName: string,
  reader: SourceReader,
  signal?: AbortSignal,
): Promise<SourceObservation> {
  let cluster: EtcdCluster;
  try {
    cluster = await EtcdClusterResource.client(client).get(
      { namespace, name: clusterName },
      signal ? { signal } : {},
    );
  } catch (err) {
    if (isNotFound(err)) return { found: false };
    throw err;
  }
  const status = cluster.status ?? {};
  const available = isStatusConditionTrue(status.conditions, ConditionType.Available);
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
  // With client TLS a Job (inside the cluster) uses the member's DNS name,
  // which its certificate carries; the operator itself reaches the member as
  // its addressing says (by Pod IP it checks the certificate against the
  // client Service name, which the certificate carries too).
  const tls = clusterTLSSecrets(clusterName, cluster.spec).client;
  let member: Extract<SourceObservation, { found: true }>['member'];
  if (chosen === undefined) member = undefined;
  else if (!tls) member = { name: chosen.name, endpoint: clientURLOfIP(ipOf.get(chosen.name) ?? '') };
  else if (!reader.operator)
    member = {
      name: chosen.name,
      endpoint: clientURLOfName(clusterName, namespace, chosen.name, 'https'),
      clientTLSSecret: tls.operator,
    };
  else
    member = {
      name: chosen.name,
      endpoint: memberClientURL(
        reader.addressing,
        clusterName,
        namespace,
        chosen.name,
        ipOf.get(chosen.name) ?? '',
        'https',
      ),
      clientTLSSecret: tls.operator,
      operatorTLS: await operatorTLS(client, cluster, reader.addressing, signal),
    };
  return { found: true, available, image, ...(member ? { member } : {}) };
}

async function observeDestination(
  client: Client,
  backup: EtcdBackup,
  signal?: AbortSignal,
): Promise<DestinationObservation> {
  const namespace = backup.metadata.namespace ?? 'default';
  const { pvc, s3 } = backup.spec.destination;
  if (s3 !== undefined) {
    try {
      await readS3Credentials(client, namespace, s3.credentialsSecret.name, signal);
    } catch (err) {
      if (
        !(err instanceof S3BackupError) ||
        (err.reason !== 'SecretNotFound' && err.reason !== 'SecretInvalid')
      )
        throw err;
      return { ready: false, reason: err.reason, message: err.message };
    }
    return {
      ready: true,
      kind: 's3',
      folder: s3BackupFolder(s3.prefix, namespace, backup.metadata.name ?? ''),
    };
  }
  if (pvc === undefined)
    return {
      ready: false,
      reason: 'DestinationNotSupported',
      message: 'spec.destination names no destination',
    };
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
  return {
    ready: true,
    kind: 'pvc',
    claimName: pvc.claimName,
    folder: pvc.path ?? backup.metadata.name ?? '',
  };
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

/**
 * Observes one backup. `addressing`: how the operator reaches members, for
 * the S3 snapshots it streams itself (default `pod-ip`).
 */
export async function observeBackup(
  client: Client,
  backup: EtcdBackup,
  now: Date,
  signal?: AbortSignal,
  addressing: MemberAddressing = 'pod-ip',
): Promise<BackupObservation> {
  const namespace = backup.metadata.namespace ?? 'default';
  const reader = { operator: backup.spec.destination.s3 !== undefined, addressing };
  const [source, destination] = await Promise.all([
    observeSource(client, namespace, backup.spec.clusterName, reader, signal),
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
