// One snapshot as a Kubernetes Job, run with etcd's own tools from the image
// of the version the cluster runs:
//
//   1. `etcdctl endpoint status` of the chosen member (its exact version)
//   2. `etcdctl snapshot save` into `<file>.part` on the destination volume
//   3. `etcdutl snapshot status` verifies the file (it fails on a torn or
//      corrupt snapshot) and reads its revision and key count
//   4. sha256 and size, then the rename to `<file>`: a snapshot under its
//      final name is always complete and verified
//   5. retention: delete the recorded snapshots that fall out (retention.ts)
//   6. the measurements, as JSON, become the container's termination message,
//      which the operator reads from the Pod status (no log access needed)
//
// Values reach the script through environment variables, never spliced into
// its text. The Job retries the Pod (backoffLimit) and has a deadline
// (activeDeadlineSeconds = spec.timeoutSeconds).
import type { V1Container, V1EnvVar, V1JobSpec, V1PodSpec } from '@kubernetes/client-node';
import type { KubeObject } from '@switchboard/core';

import type { EtcdBackup } from '../api/backup-types.js';
import { ETCD_API_VERSION } from '../api/types.js';
import { ETCD_BACKUP_KIND } from '../api/backup-types.js';
import type { Built } from './kube-types.js';
import { FIELD_MANAGER } from './labels.js';
import { TLS_CA_KEY, TLS_CERT_KEY, TLS_KEY_KEY } from '../tls/cluster-tls.js';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './pod-security.js';
import { TOOLS_DIR, toolsInitContainer, toolsMount, toolsPath, toolsShell, toolsVolume } from './toolbox.js';

/** A batch/v1 Job (the fields the operator reads from status). */
export interface Job extends KubeObject {
  spec: V1JobSpec;
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/** `apiVersion`/`kind` of Jobs. */
export const JobType = { apiVersion: 'batch/v1', kind: 'Job' } as const;

/** Label naming the EtcdBackup a Job (and its Pods) belongs to. */
export const BACKUP_LABEL = 'etcd.switchboard.dev/backup';
/** Label naming the Job on its Pods (so the result is found without the Job controller's labels). */
export const BACKUP_JOB_LABEL = 'etcd.switchboard.dev/backup-job';
/** Annotation on a Job: the scheduled time it runs for. */
export const SCHEDULED_TIME_ANNOTATION = 'etcd.switchboard.dev/scheduled-time';
/** Annotation on a Job: the member it reads from. */
export const SOURCE_MEMBER_ANNOTATION = 'etcd.switchboard.dev/source-member';
/** Where the destination volume is mounted in the Job's Pod. */
export const BACKUP_MOUNT = '/backup';
/** Where the client certificate Secret is mounted in the Job's Pod. */
export const CLIENT_TLS_MOUNT = '/etc/etcd/tls/client';
/** Pod retries of one snapshot Job. */
export const SNAPSHOT_BACKOFF_LIMIT = 2;

/** What one snapshot Job does. */
export interface SnapshotJobInput {
  /** Job name; the file is `<job>.db`. */
  job: string;
  /** Scheduled time it runs for (RFC 3339). */
  scheduledTime: string;
  /** PVC and folder inside it. */
  claimName: string;
  folder: string;
  /** Client URL of the member to read from, and its name. */
  endpoint: string;
  member: string;
  /**
   * For a cluster with client TLS: the Secret (tls.crt, tls.key, ca.crt)
   * whose client certificate etcdctl presents, mounted read-only.
   */
  clientTLSSecret?: string;
  /** etcd image (the cluster's running version). */
  image: string;
  timeoutSeconds: number;
  /** File names (in the folder) to delete once the new snapshot is verified. */
  deleteAfter: string[];
}

/** The snapshot's file name for a Job. */
export function snapshotFileName(job: string): string {
  return `${job}.db`;
}

const SCRIPT = `
dir="${BACKUP_MOUNT}/$FOLDER"
mkdir -p "$dir"
cd "$dir"
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
etcdctl --endpoints="$ENDPOINT" --dial-timeout=10s --command-timeout=30s endpoint status -w json > ${TOOLS_DIR}/endpoint.json
rm -f "$FILE.part"
etcdctl --endpoints="$ENDPOINT" --dial-timeout=10s --command-timeout="$TIMEOUT" snapshot save "$FILE.part"
etcdutl snapshot status "$FILE.part" -w json > ${TOOLS_DIR}/status.json
sum=$(sha256sum "$FILE.part" | cut -d' ' -f1)
size=$(stat -c %s "$FILE.part")
mv "$FILE.part" "$FILE"
for old in $DELETE_AFTER; do
  case "$old" in */*|.*) continue ;; esac
  rm -f -- "$old"
done
sync
printf '{"file":"%s","startTime":"%s","sha256":"%s","size":%s,"status":%s,"endpointStatus":%s}' \\
  "$FILE" "$start" "$sum" "$size" "$(cat ${TOOLS_DIR}/status.json)" "$(cat ${TOOLS_DIR}/endpoint.json)" > /dev/termination-log
`.trim();

/**
 * etcdctl's --cacert, --cert and --key, given as the environment variables
 * etcdctl reads for them (ETCDCTL_<FLAG>), so the script stays one text for
 * http and https clusters.
 */
function tlsEnv(input: SnapshotJobInput): V1EnvVar[] {
  if (input.clientTLSSecret === undefined) return [];
  return [
    { name: 'ETCDCTL_CACERT', value: `${CLIENT_TLS_MOUNT}/${TLS_CA_KEY}` },
    { name: 'ETCDCTL_CERT', value: `${CLIENT_TLS_MOUNT}/${TLS_CERT_KEY}` },
    { name: 'ETCDCTL_KEY', value: `${CLIENT_TLS_MOUNT}/${TLS_KEY_KEY}` },
  ];
}

function snapshotContainer(input: SnapshotJobInput): V1Container {
  return {
    name: 'snapshot',
    image: input.image,
    command: toolsShell(SCRIPT),
    env: [
      toolsPath(),
      { name: 'ENDPOINT', value: input.endpoint },
      { name: 'FOLDER', value: input.folder },
      { name: 'FILE', value: snapshotFileName(input.job) },
      { name: 'TIMEOUT', value: `${input.timeoutSeconds}s` },
      { name: 'DELETE_AFTER', value: input.deleteAfter.join(' ') },
      ...tlsEnv(input),
    ],
    volumeMounts: [
      { name: 'destination', mountPath: BACKUP_MOUNT },
      toolsMount(),
      ...(input.clientTLSSecret ? [{ name: 'client-tls', mountPath: CLIENT_TLS_MOUNT, readOnly: true }] : []),
    ],
    // A failed run's last log lines become its termination message: the operator quotes them in status.
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: restrictedContainerSecurityContext(),
  };
}

/** The Job taking one snapshot for `backup`, owned by it. */
export function snapshotJob(backup: EtcdBackup, input: SnapshotJobInput): Built<Job> {
  const name = backup.metadata.name ?? '';
  const labels = {
    'app.kubernetes.io/name': 'etcd-backup',
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/managed-by': FIELD_MANAGER,
    [BACKUP_LABEL]: name,
  };
  const pod: V1PodSpec = {
    restartPolicy: 'Never',
    securityContext: restrictedPodSecurityContext(),
    initContainers: [toolsInitContainer()],
    containers: [snapshotContainer(input)],
    volumes: [
      { name: 'destination', persistentVolumeClaim: { claimName: input.claimName } },
      toolsVolume(),
      ...(input.clientTLSSecret
        ? [{ name: 'client-tls', secret: { secretName: input.clientTLSSecret } }]
        : []),
    ],
  };
  const { uid } = backup.metadata;
  if (!uid) throw new TypeError('a snapshot Job needs the EtcdBackup as read from the API server (uid)');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: input.job,
      namespace: backup.metadata.namespace ?? 'default',
      labels,
      annotations: {
        [SCHEDULED_TIME_ANNOTATION]: input.scheduledTime,
        [SOURCE_MEMBER_ANNOTATION]: input.member,
      },
      ownerReferences: [
        {
          apiVersion: ETCD_API_VERSION,
          kind: ETCD_BACKUP_KIND,
          name,
          uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      backoffLimit: SNAPSHOT_BACKOFF_LIMIT,
      activeDeadlineSeconds: input.timeoutSeconds,
      template: {
        metadata: { labels: { ...labels, [BACKUP_JOB_LABEL]: input.job } },
        spec: pod,
      },
    },
  };
}
