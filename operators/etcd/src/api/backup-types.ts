// The EtcdBackup API (etcd.switchboard.dev/v1alpha1): a snapshot of one
// EtcdCluster, taken once or on a schedule, kept in a destination with a
// retention count. The CRD in ./backup-crd.ts is the same shape as a schema.
import type { Condition, ObjectMeta, Resource } from '@switchboard/core';

/** `kind` of EtcdBackup objects. */
export const ETCD_BACKUP_KIND = 'EtcdBackup' as const;

/** Snapshots kept when `spec.maxBackups` is not set. */
export const DEFAULT_MAX_BACKUPS = 5;
/** Largest `spec.maxBackups` the API accepts (status lists every kept snapshot). */
export const MAX_MAX_BACKUPS = 100;
/** Deadline of one snapshot Job when `spec.timeoutSeconds` is not set. */
export const DEFAULT_BACKUP_TIMEOUT_SECONDS = 600;
/** Shortest interval `@every` accepts: a snapshot is a full copy of the keyspace. */
export const MIN_EVERY_SECONDS = 5;

/** A folder in a PersistentVolumeClaim of the backup's namespace. */
export interface EtcdBackupPvcDestination {
  /** The PVC (same namespace as the EtcdBackup). */
  claimName: string;
  /** Folder inside the volume, relative; default the EtcdBackup's name. */
  path?: string;
}

/**
 * S3-compatible object storage. The operator itself streams the snapshot
 * from one healthy member and uploads it (multipart) to
 * `<prefix>/<namespace>/<backup>/<cluster>-<yyyymmdd>-<hhmmss>.db`.
 */
export interface EtcdBackupS3Destination {
  /** `https://...` or `http://...` URL of the S3 API. */
  endpoint: string;
  bucket: string;
  /** Key prefix (no leading or trailing `/` needed). */
  prefix?: string;
  /** Signing region; default `us-east-1`. */
  region?: string;
  /** Secret in the backup's namespace with keys `accessKeyID` and `secretAccessKey` (and optionally `sessionToken`). */
  credentialsSecret: { name: string };
  /** Path-style addressing (`<endpoint>/<bucket>/key`), as MinIO needs. Default true. */
  forcePathStyle?: boolean;
}

/** Where snapshots go: exactly one of `pvc` or `s3`. */
export interface EtcdBackupDestination {
  pvc?: EtcdBackupPvcDestination;
  s3?: EtcdBackupS3Destination;
}

/** Declared intent for a backup. */
export interface EtcdBackupSpec {
  /** The EtcdCluster to snapshot (same namespace). Immutable. */
  clusterName: string;
  /** Immutable. */
  destination: EtcdBackupDestination;
  /**
   * When to take snapshots: a 5-field cron expression in UTC (`*\/15 * * * *`),
   * a macro (`@hourly`, `@daily`...), or `@every <duration>` (`@every 30s`).
   * Absent: one snapshot, once.
   */
  schedule?: string;
  /** Snapshots kept in the destination; the oldest beyond this are deleted after a new one is verified. */
  maxBackups?: number;
  /** Deadline of one snapshot: the Job's activeDeadlineSeconds (PVC), the whole stream and upload (S3). */
  timeoutSeconds?: number;
  /** While true no new snapshot starts (a running one finishes). */
  suspend?: boolean;
}

/** Lifecycle summary for `kubectl get`. */
export type EtcdBackupPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Scheduled' | 'Suspended';

/** One snapshot in the destination, as its Job (PVC) or the operator (S3) measured it. */
export interface EtcdSnapshotRecord {
  /** File name, ending in the UTC time it was started (`...-<yyyymmdd>-<hhmmss>.db`). */
  name: string;
  /** Path inside the destination volume (`<folder>/<name>`), or the object key (S3). */
  path: string;
  /** Server version of the member it was taken from, e.g. `3.6.16`. */
  etcdVersion?: string;
  /** Storage version recorded in the snapshot (etcd 3.6+), e.g. `3.6.0`. */
  storageVersion?: string;
  /** The keyspace revision the snapshot holds. */
  revision: number;
  /** Keys in the snapshot (as `etcdutl snapshot status` counts them). */
  totalKeys?: number;
  /** File size in bytes. */
  size: number;
  /** sha256 of the file, hex. */
  sha256: string;
  /** Member it was read from. */
  member?: string;
  /** RFC 3339 times. */
  startTime?: string;
  completionTime: string;
}

/** Condition types of an EtcdBackup. */
export const BackupConditionType = {
  /** The last snapshot attempt succeeded (False with the reason when it did not). */
  Succeeded: 'Succeeded',
  /** A snapshot Job is running. */
  Running: 'Running',
} as const;

/** What the operator observed and did. */
export interface EtcdBackupStatus {
  phase?: EtcdBackupPhase;
  observedGeneration?: number;
  /**
   * The snapshot in progress, recorded before it starts: the Job's name (PVC),
   * or the object key being uploaded (S3).
   */
  currentJob?: string;
  /** Scheduled time the current or last Job was started for (RFC 3339). */
  lastScheduleTime?: string;
  /** Next scheduled snapshot (scheduled backups only). */
  nextScheduleTime?: string;
  lastSuccessTime?: string;
  lastFailureTime?: string;
  /** The newest verified snapshot. */
  lastSnapshot?: EtcdSnapshotRecord;
  /** Every snapshot kept in the destination, newest first (at most maxBackups). */
  snapshots?: EtcdSnapshotRecord[];
  /** Jobs that failed in a row (reset by a success). */
  consecutiveFailures?: number;
  conditions?: Condition[];
}

/** An EtcdBackup object: what `EtcdBackupResource.client()` (./backup-crd.ts) reads and writes. */
export interface EtcdBackup extends Resource<EtcdBackupSpec, EtcdBackupStatus> {
  metadata: ObjectMeta;
}
