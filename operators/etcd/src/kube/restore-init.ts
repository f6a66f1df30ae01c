// The init containers that restore a seed member from a snapshot (see
// ../runbook/restore.ts for the rules): busybox's shell is installed first
// (toolbox.ts), then a container of the cluster's etcd image checks the
// file's sha256 and runs `etcdutl snapshot restore` into a temporary folder,
// renamed into place when complete. The backup PVC is mounted read-only.
//
// From S3 there is no volume to mount: a container of the toolbox image (the
// operator's own image, `etcd-operator fetch-snapshot`, ../s3/fetch-snapshot.ts)
// downloads the object into the tools volume first, its credentials read by
// the kubelet from the backup's Secret (secretKeyRef), and the same restore
// container restores from there.
import type { V1Container, V1EnvVar, V1Volume } from '@kubernetes/client-node';

import type { RestoreFrom } from '../runbook/restore.js';
import { RESTORE_REVISION_BUMP } from '../runbook/restore.js';
import { FETCH_ENV } from '../s3/fetch-snapshot.js';
import { SECRET_ACCESS_KEY_ID, SECRET_SECRET_ACCESS_KEY, SECRET_SESSION_TOKEN } from '../s3/s3-store.js';
import { restrictedContainerSecurityContext } from './pod-security.js';
import { TOOLS_DIR, toolsInitContainer, toolsMount, toolsPath, toolsShell, toolsVolume } from './toolbox.js';

const SOURCE_MOUNT = '/restore-source';
/** Where an S3 snapshot is downloaded to: a file in the tools volume. */
export const S3_SNAPSHOT_FILE = 'restore-snapshot.db';

const SCRIPT = `
if [ -d "$DATA_DIR" ]; then echo "data folder $DATA_DIR exists; nothing to restore"; exit 0; fi
echo "$SHA256  $SOURCE_MOUNT/$SNAPSHOT_PATH" | sha256sum -c -
rm -rf "$DATA_DIR.restore"
etcdutl snapshot restore "$SOURCE_MOUNT/$SNAPSHOT_PATH" \\
  --name "$MEMBER" --initial-cluster "$INITIAL_CLUSTER" --initial-cluster-token "$TOKEN" \\
  --initial-advertise-peer-urls "$PEER_URL" --data-dir "$DATA_DIR.restore" \\
  --bump-revision "$BUMP" --mark-compacted
mv "$DATA_DIR.restore" "$DATA_DIR"
`.trim();

/** What the restore container needs besides the snapshot. */
export interface RestoreTarget {
  member: string;
  peerURL: string;
  /** `name=peerURL` of the seed. */
  initialCluster: string;
  token: string;
  /** Data folder etcd runs on, and the mount of the data volume. */
  dataDir: string;
  dataMount: { name: string; mountPath: string };
  image: string;
  /** Image with `etcd-operator fetch-snapshot` (the operator's own), for S3 snapshots. */
  toolboxImage: string;
}

function secretEnv(name: string, secret: string, key: string, opts: { optional?: boolean } = {}): V1EnvVar {
  return {
    name,
    valueFrom: { secretKeyRef: { name: secret, key, ...(opts.optional === true ? { optional: true } : {}) } },
  };
}

/** The container downloading an S3 snapshot into the tools volume; none for PVC snapshots. */
function fetchContainer(from: RestoreFrom, target: RestoreTarget): V1Container[] {
  const s3 = from.s3;
  if (s3 === undefined) return [];
  return [
    {
      name: 'fetch-snapshot',
      image: target.toolboxImage,
      // The image's entrypoint is the operator binary; this is its subcommand.
      args: ['fetch-snapshot'],
      env: [
        { name: FETCH_ENV.endpoint, value: s3.endpoint },
        { name: FETCH_ENV.bucket, value: s3.bucket },
        ...(s3.region !== undefined ? [{ name: FETCH_ENV.region, value: s3.region }] : []),
        ...(s3.forcePathStyle !== undefined
          ? [{ name: FETCH_ENV.forcePathStyle, value: String(s3.forcePathStyle) }]
          : []),
        { name: FETCH_ENV.key, value: from.path },
        { name: FETCH_ENV.sha256, value: from.sha256 },
        { name: FETCH_ENV.file, value: `${TOOLS_DIR}/${S3_SNAPSHOT_FILE}` },
        // A restarted seed whose data is restored needs no download (and no backup).
        { name: FETCH_ENV.skipIfExists, value: target.dataDir },
        secretEnv(FETCH_ENV.accessKeyId, s3.credentialsSecret, SECRET_ACCESS_KEY_ID),
        secretEnv(FETCH_ENV.secretAccessKey, s3.credentialsSecret, SECRET_SECRET_ACCESS_KEY),
        secretEnv(FETCH_ENV.sessionToken, s3.credentialsSecret, SECRET_SESSION_TOKEN, { optional: true }),
      ],
      volumeMounts: [{ ...target.dataMount, readOnly: true }, toolsMount()],
      terminationMessagePolicy: 'FallbackToLogsOnError',
      securityContext: restrictedContainerSecurityContext(),
    },
  ];
}

/** Init containers restoring the seed's data folder from `from`. */
export function restoreInitContainers(from: RestoreFrom, target: RestoreTarget): V1Container[] {
  const s3 = from.s3 !== undefined;
  return [
    toolsInitContainer(),
    ...fetchContainer(from, target),
    {
      name: 'restore',
      image: target.image,
      command: toolsShell(SCRIPT),
      env: [
        toolsPath(),
        { name: 'SOURCE_MOUNT', value: s3 ? TOOLS_DIR : SOURCE_MOUNT },
        { name: 'SNAPSHOT_PATH', value: s3 ? S3_SNAPSHOT_FILE : from.path },
        { name: 'SHA256', value: from.sha256 },
        { name: 'MEMBER', value: target.member },
        { name: 'INITIAL_CLUSTER', value: target.initialCluster },
        { name: 'TOKEN', value: target.token },
        { name: 'PEER_URL', value: target.peerURL },
        { name: 'DATA_DIR', value: target.dataDir },
        { name: 'BUMP', value: String(RESTORE_REVISION_BUMP) },
      ],
      volumeMounts: [
        target.dataMount,
        ...(s3 ? [] : [{ name: 'restore-source', mountPath: SOURCE_MOUNT, readOnly: true }]),
        toolsMount(),
      ],
      terminationMessagePolicy: 'FallbackToLogsOnError',
      securityContext: restrictedContainerSecurityContext(),
    },
  ];
}

/** Volumes the restore needs: the backup PVC (read-only; none from S3) and the tools. */
export function restoreVolumes(from: RestoreFrom): V1Volume[] {
  return [
    ...(from.claimName !== undefined && from.s3 === undefined
      ? [{ name: 'restore-source', persistentVolumeClaim: { claimName: from.claimName, readOnly: true } }]
      : []),
    toolsVolume(),
  ];
}
