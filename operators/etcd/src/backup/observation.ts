// What one reconcile of an EtcdBackup knows, read fresh on every pass: the
// backup, its source cluster (is it available, which member to read from, at
// which version), whether the destination exists, and its snapshot Jobs.
// decide.ts is a pure function of this.
import type { EtcdBackupSpec, EtcdBackupStatus, EtcdSnapshotRecord } from '../api/backup-types.js';
import type { EtcdTLSMaterial } from '../etcd/etcd-client.js';

/**
 * The operator's own client certificate, for an S3 snapshot of a cluster
 * with client TLS (the operator streams it), or why it cannot be used: a TLS
 * Secret of the cluster is missing or lacks a file.
 */
export type OperatorTLSObservation =
  | { ready: true; material: EtcdTLSMaterial }
  | { ready: false; reason: 'TLSSecretNotFound' | 'TLSSecretInvalid'; message: string };

/** The source cluster, as the backup needs it. */
export type SourceObservation =
  | { found: false }
  | {
      found: true;
      /** A healthy quorum serves requests (the cluster's Available condition). */
      available: boolean;
      /**
       * The member to read from (a healthy voter, followers first), its client
       * URL as the reader reaches it (a PVC snapshot Job inside the cluster,
       * or the operator for S3) and, for a cluster with client TLS, the Secret
       * with the client certificate the reader presents; `operatorTLS`, for
       * an S3 destination of such a cluster, is that certificate as read.
       */
      member?: {
        name: string;
        endpoint: string;
        clientTLSSecret?: string;
        operatorTLS?: OperatorTLSObservation;
      };
      /** etcd image of the version the cluster runs. */
      image: string;
    };

/**
 * Why a destination cannot take a snapshot now. `DestinationNotSupported`
 * (no destination at all) is terminal; the others fail the attempt, which is
 * retried with backoff.
 */
export type DestinationProblem =
  'DestinationNotFound' | 'DestinationNotSupported' | 'SecretNotFound' | 'SecretInvalid';

/** The destination, as far as the operator can check it before starting a snapshot. */
export type DestinationObservation =
  | { ready: true; kind: 'pvc'; claimName: string; folder: string }
  /** `folder`: the backup's key prefix, ending in `/` (../backup/s3-keys.ts). */
  | { ready: true; kind: 's3'; folder: string }
  | { ready: false; reason: DestinationProblem; message: string };

/** A snapshot Job of this backup. */
export interface SnapshotJobObservation {
  name: string;
  state: 'Active' | 'Succeeded' | 'Failed';
  /** Scheduled time it was created for (RFC 3339). */
  scheduledTime?: string;
  /** Member it reads from. */
  member?: string;
  /** Succeeded: the record parsed from its Pod's termination message, or why it did not parse. */
  result?: { snapshot: EtcdSnapshotRecord } | { error: string };
  /** Failed: the Job's reason and the last words of its Pod. */
  failure?: string;
}

/** Everything one backup reconcile decides from. */
export interface BackupObservation {
  name: string;
  namespace: string;
  generation: number;
  /** RFC 3339 creation time (the start of a schedule). */
  createdAt: string;
  spec: EtcdBackupSpec;
  previousStatus: EtcdBackupStatus;
  source: SourceObservation;
  destination: DestinationObservation;
  jobs: SnapshotJobObservation[];
  now: Date;
}
