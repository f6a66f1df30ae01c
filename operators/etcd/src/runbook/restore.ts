// Restore: a new cluster seeded from a verified snapshot of an EtcdBackup
// (`spec.bootstrap.restore`), then grown with learners like any new cluster.
//
// Preconditions
// - The cluster was never created (no clusterID in status, no member Pod or
//   PVC): a restore only ever seeds a new cluster, never overwrites one.
// - The named EtcdBackup exists, writes to a PVC or to S3, and has a verified
//   snapshot (the one named by `snapshot`, or its newest).
//
// Safety rules
// - From S3, an init container of the operator's own image (the toolbox
//   image) downloads the object into the Pod's scratch volume first, with
//   credentials the kubelet reads from the backup's Secret (secretKeyRef:
//   never a value in the Pod spec), and checks its sha256; a file already
//   there and matching is kept, anything else is downloaded again.
// - The seed member's Pod restores the file in an init container with
//   `etcdutl snapshot restore`, after checking the file's sha256 against the
//   one the backup recorded: a changed or torn file stops the seed.
// - The restored cluster gets a new cluster ID and token (this EtcdCluster's
//   UID), so no member of the source cluster can ever join it.
// - The revision is bumped by RESTORE_REVISION_BUMP and marked compacted
//   (`--bump-revision --mark-compacted`): revisions never go backwards for
//   clients that watched the source, and their watches are told to relist.
// - The restore is skipped when the member's data folder exists (a restarted
//   seed Pod keeps what it restored); the restore writes to a temporary folder
//   and renames it, so a half-restored folder is never started.
// - Only the seed is restored; every other member joins as a learner and
//   receives the data from the leader (scale-up.ts).

import type { EtcdBackupDestination } from '../api/backup-types.js';
import type { EtcdSnapshotSource } from '../api/types.js';

/** How far a restore moves the revision (etcd's documented example value). */
export const RESTORE_REVISION_BUMP = 1_000_000_000;

/**
 * The snapshot a seed is restored from: a file on a backup PVC (`claimName`,
 * `path` inside it) or an object in S3 (`s3`, `path` is its key).
 */
export interface RestoreFrom extends EtcdSnapshotSource {
  /** Cluster token of the restored cluster (default the EtcdCluster's UID). */
  token?: string;
}

/** A verified snapshot of a cluster, as disaster recovery weighs it (recover-from-backup.ts). */
export interface BackupSnapshot extends EtcdSnapshotSource {
  /** Cluster token of the restored cluster. */
  token?: string;
  /**
   * When the snapshot's data was read (RFC 3339): its start time, or its
   * completion time for a record without one. Orders snapshots by how recent
   * their data is; a slow snapshot that finished late holds older data than
   * a quick one started after it.
   */
  takenAt: string;
}

/**
 * Where a backup destination's snapshots are restored from: its PVC, or its
 * bucket with the name of its credentials Secret; undefined when it names
 * neither.
 */
export function snapshotLocation(
  destination: EtcdBackupDestination,
): Pick<EtcdSnapshotSource, 'claimName' | 's3'> | undefined {
  const { pvc, s3 } = destination;
  if (pvc !== undefined) return { claimName: pvc.claimName };
  if (s3 === undefined) return undefined;
  return {
    s3: {
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      credentialsSecret: s3.credentialsSecret.name,
      ...(s3.region !== undefined ? { region: s3.region } : {}),
      ...(s3.forcePathStyle !== undefined ? { forcePathStyle: s3.forcePathStyle } : {}),
    },
  };
}

/** The backup a restore asked for, as the observation found it. */
export type RestoreSource =
  | ({ ready: true } & RestoreFrom)
  | { ready: false; reason: 'BackupNotFound' | 'BackupNotRestorable' | 'SnapshotNotFound'; message: string };

/** Where a snapshot is, for messages: ` (S3 bucket <bucket> at <endpoint>)`, or nothing for a PVC. */
export function describeLocation(from: Pick<EtcdSnapshotSource, 's3'>): string {
  return from.s3 ? ` (S3 bucket ${from.s3.bucket} at ${from.s3.endpoint})` : '';
}

/** One line for events and conditions. */
export function describeRestore(from: RestoreFrom): string {
  return `restored from snapshot ${from.path}${describeLocation(from)} of EtcdBackup ${from.backupName} (revision ${from.revision}, moved up by ${RESTORE_REVISION_BUMP})`;
}
