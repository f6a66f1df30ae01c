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

import type { EtcdSnapshotSource } from '../api/types.js';

/** How far a restore moves the revision (etcd's documented example value). */
export const RESTORE_REVISION_BUMP = 1_000_000_000;

/** Where an S3 snapshot is downloaded from (the backup's `spec.destination.s3`). */
export interface S3SnapshotLocation {
  /** URL of the S3 API; the seed Pod downloads from it, so it must be reachable from Pods. */
  endpoint: string;
  bucket: string;
  region?: string;
  forcePathStyle?: boolean;
  /** Name of the Secret (same namespace) holding the credentials. */
  credentialsSecret: string;
}

/**
 * The snapshot a seed is restored from: a file on a backup PVC (`claimName`,
 * `path` inside it) or an object in S3 (`s3`, `path` is its key).
 */
export interface RestoreFrom extends Omit<EtcdSnapshotSource, 'claimName'> {
  /** The backup PVC (PVC backups). */
  claimName?: string;
  /** The bucket (S3 backups). */
  s3?: S3SnapshotLocation;
  /** Cluster token of the restored cluster (default the EtcdCluster's UID). */
  token?: string;
}

/** A verified snapshot of a cluster, as disaster recovery weighs it (recover-from-backup.ts). */
export interface BackupSnapshot extends EtcdSnapshotSource {
  /** Cluster token of the restored cluster. */
  token?: string;
  /** When the snapshot was verified (RFC 3339). */
  completionTime: string;
}

/** The backup a restore asked for, as the observation found it. */
export type RestoreSource =
  | ({ ready: true } & RestoreFrom)
  | { ready: false; reason: 'BackupNotFound' | 'BackupNotRestorable' | 'SnapshotNotFound'; message: string };

/** One line for events and conditions. */
export function describeRestore(from: RestoreFrom): string {
  const where = from.s3 ? ` (S3 bucket ${from.s3.bucket} at ${from.s3.endpoint})` : '';
  return `restored from snapshot ${from.path}${where} of EtcdBackup ${from.backupName} (revision ${from.revision}, moved up by ${RESTORE_REVISION_BUMP})`;
}
