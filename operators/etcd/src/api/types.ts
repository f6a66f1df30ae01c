// The EtcdCluster API (etcd.switchboard.dev/v1alpha1): what a user declares
// (spec) and what the operator reports (status). The CRD in ./crd.ts is the
// same shape as a schema; the two are kept in step by crd.test.ts.
import type { V1Affinity, V1ResourceRequirements, V1Toleration } from '@kubernetes/client-node';
import type { Condition, ObjectMeta, Resource } from '@switchboard/core';

/** API group of every etcd operator resource. */
export const ETCD_GROUP = 'etcd.switchboard.dev';
/** The served and stored version. */
export const ETCD_API_VERSION_NAME = 'v1alpha1';
/** `apiVersion` of EtcdCluster objects. */
export const ETCD_API_VERSION = `${ETCD_GROUP}/${ETCD_API_VERSION_NAME}` as const;
/** `kind` of EtcdCluster objects. */
export const ETCD_CLUSTER_KIND = 'EtcdCluster' as const;

/** etcd release used when `spec.version` is not set (the newest one the local node serves). */
export const DEFAULT_ETCD_VERSION = '3.6.16';
/** Image repository used when `spec.repository` is not set; the image is `<repository>:v<version>`. */
export const DEFAULT_ETCD_REPOSITORY = 'quay.io/coreos/etcd';
/** Smallest and largest cluster the API accepts (beyond 9 voters raft slows down with no gain). */
export const MIN_CLUSTER_SIZE = 1;
export const MAX_CLUSTER_SIZE = 9;

/**
 * Where a member keeps its data. `PersistentVolume` (the default) gives each
 * member a PVC that outlives its Pod, so a member whose Pod dies comes back
 * with the same ID and data. `Ephemeral` uses an emptyDir: a lost Pod is a
 * lost member, always replaced.
 */
export interface EtcdStorageSpec {
  /** `PersistentVolume` (default) or `Ephemeral`. */
  type: 'PersistentVolume' | 'Ephemeral';
  /** PVC size request, e.g. `1Gi` (default `1Gi`; ignored when ephemeral). */
  size?: string;
  /** StorageClass of the PVCs (default: the cluster's default class). */
  storageClassName?: string;
}

/** What happens to a member's PVC: kept (`Retain`) or deleted (`Delete`). */
export type EtcdPvcRetention = 'Retain' | 'Delete';

/**
 * What happens to the members' PVCs, shaped like a StatefulSet's
 * `persistentVolumeClaimRetentionPolicy` (runbook/retention.ts has the rules).
 */
export interface EtcdPvcRetentionPolicy {
  /**
   * When the EtcdCluster is deleted (or its CRD, which deletes every
   * EtcdCluster). `Retain` (default): the PVCs carry no owner reference to the
   * EtcdCluster and stay, labelled with its name and UID. `Delete`: they are
   * owned by it and garbage-collected with it.
   */
  whenDeleted?: EtcdPvcRetention;
  /**
   * When a scale-down removes a member. `Retain` (default, as a
   * StatefulSet's): its PVC stays, labelled as retained and never used or
   * deleted by the operator again. `Delete`: it is deleted after the Pod.
   */
  whenScaled?: EtcdPvcRetention;
}

/** Defaults of {@link EtcdPvcRetentionPolicy}: a StatefulSet's (both `Retain`). */
export const DEFAULT_PVC_RETENTION_POLICY: Required<EtcdPvcRetentionPolicy> = {
  whenDeleted: 'Retain',
  whenScaled: 'Retain',
};

/** What the operator copies onto each member Pod. */
export interface EtcdPodTemplate {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resources?: V1ResourceRequirements;
  /** Added to the operator's own anti-affinity term (see `spec.antiAffinity`). */
  affinity?: V1Affinity;
  tolerations?: V1Toleration[];
  nodeSelector?: Record<string, string>;
}

/** etcd server flags the operator exposes. */
export interface EtcdOptions {
  /** `--quota-backend-bytes` (etcd's default 2 GiB when unset). */
  quotaBackendBytes?: number;
  /** `--auto-compaction-mode`: `periodic` or `revision`. */
  autoCompactionMode?: 'periodic' | 'revision';
  /** `--auto-compaction-retention`, e.g. `1h` (periodic) or `1000` (revision). */
  autoCompactionRetention?: string;
}

/** Seed a new cluster from a snapshot of an EtcdBackup (same namespace). */
export interface EtcdRestoreSpec {
  /** The EtcdBackup whose snapshot seeds the cluster. */
  backupName: string;
  /** A snapshot file name from the backup's `status.snapshots`; default its newest. */
  snapshot?: string;
}

/** How a new cluster starts. Immutable after creation. */
export interface EtcdBootstrap {
  /** Restore from a backup instead of starting empty. */
  restore?: EtcdRestoreSpec;
}

/**
 * Disaster recovery after quorum loss: `manual` (default) waits for the
 * annotation etcd.switchboard.dev/recover, `auto` recovers by itself.
 */
export type EtcdRecoveryPolicy = 'manual' | 'auto';

/** Disaster recovery's wait bound when `spec.recoveryDelaySeconds` is not set. */
export const DEFAULT_RECOVERY_DELAY_SECONDS = 60;
/**
 * Shortest and longest wait bound the API accepts. Below 10 s a recovery
 * could race Pods that are only restarting (a member Pod takes a few seconds
 * to be recreated and rejoin).
 */
export const MIN_RECOVERY_DELAY_SECONDS = 10;
export const MAX_RECOVERY_DELAY_SECONDS = 86_400;

/**
 * How long a member may stay unhealthy before it is replaced when
 * `spec.memberFailureTimeoutSeconds` is not set (runbook/replace-member.ts).
 */
export const DEFAULT_MEMBER_FAILURE_TIMEOUT_SECONDS = 300;
/**
 * Shortest and longest member failure bound the API accepts. Below 30 s a
 * member that is only restarting (an upgrade, a liveness kill, a node reboot)
 * could be replaced.
 */
export const MIN_MEMBER_FAILURE_TIMEOUT_SECONDS = 30;
export const MAX_MEMBER_FAILURE_TIMEOUT_SECONDS = 86_400;

/** A recovery from the surviving member, recorded before anything is changed. */
export interface EtcdMemberRecoveryStatus {
  /** `Member` (also when absent: records written before backups were a source). */
  source?: 'Member';
  /** Member the cluster is rebuilt from. */
  survivor: string;
  /** Its hex ID and the raft index it had when chosen (decimal). */
  memberId: string;
  raftIndex: string;
  /**
   * The highest raft index seen on any member while it answered (decimal),
   * and that member: entries between `raftIndex` and this one may be lost.
   */
  highestRaftIndex?: string;
  highestRaftIndexMember?: string;
  /** PVCs of the other members, quarantined (kept, never reused): they may hold those entries. */
  quarantinedPVCs?: string[];
  /** RFC 3339. */
  startedAt: string;
  /** `Forcing`: starting it with --force-new-cluster; `Restarting`: once more without. */
  phase: 'Forcing' | 'Restarting';
}

/** Where an S3 snapshot is downloaded from: the backup's `spec.destination.s3`, as recorded. */
export interface EtcdS3SnapshotLocation {
  /** URL of the S3 API; the seed Pod downloads from it, so it must be reachable from Pods. */
  endpoint: string;
  bucket: string;
  region?: string;
  forcePathStyle?: boolean;
  /** Name of the Secret (same namespace) holding the credentials (never the credentials). */
  credentialsSecret: string;
}

/**
 * A verified snapshot of an EtcdBackup that a seed member is restored from:
 * a file on the backup's PVC (`claimName`, `path` inside it) or an object in
 * S3 (`s3`, `path` is its key). Exactly one of `claimName` and `s3`.
 */
export interface EtcdSnapshotSource {
  /** EtcdBackup name. */
  backupName: string;
  /** Snapshot file name (as in the backup's status). */
  snapshot: string;
  /** The backup's PVC (PVC backups). */
  claimName?: string;
  /** The bucket and how to reach it (S3 backups). */
  s3?: EtcdS3SnapshotLocation;
  /** The file's path inside the PVC, or the object's key in the bucket. */
  path: string;
  /** sha256 of the file, hex, checked before the restore. */
  sha256: string;
  /** Keyspace revision the snapshot holds (before a restore moves it up). */
  revision: number;
}

/**
 * A recovery from the newest backup when no member survives, recorded before
 * anything is changed. What was written after the snapshot's revision is lost.
 */
export interface EtcdBackupRecoveryStatus extends EtcdSnapshotSource {
  source: 'Backup';
  /** The new member restored from the snapshot (a new name, so a new member ID and cluster ID). */
  seed: string;
  /** `status.clusterID` before the recovery (the new cluster's ID replaces it once the seed answers). */
  previousClusterID: string;
  /** PVCs left by members answering as another cluster, quarantined (kept, never reused). */
  quarantinedPVCs?: string[];
  /** RFC 3339. */
  startedAt: string;
  /** `Clearing`: deleting the dead members' Pods and PVCs; `Seeding`: the seed restores and starts. */
  phase: 'Clearing' | 'Seeding';
}

/** A disaster recovery in progress: from the surviving member, or from a backup. */
export type EtcdRecoveryStatus = EtcdMemberRecoveryStatus | EtcdBackupRecoveryStatus;
/**
 * Client TLS: members serve https on the client port and accept only clients
 * with a certificate from the trusted CA (`--client-cert-auth`).
 *
 * Either `generate: true`, or both Secret names. Generated: the operator
 * creates a CA (`<cluster>-tls-ca`) and the certificates it signs
 * (`<cluster>-tls-server`, `<cluster>-tls-operator`), owned by the
 * EtcdCluster, never replaces a CA that exists, and renews a certificate
 * once two thirds of its lifetime has passed. Named Secrets are the user's
 * and cert-manager-shaped (`kubernetes.io/tls` with `tls.crt`, `tls.key`,
 * `ca.crt`):
 * - `serverSecretName`: the members' server certificate; its `ca.crt` is the
 *   CA that client certificates must chain to. The certificate needs the
 *   `serverAuth` and `clientAuth` extended key usages (etcd's gateway dials
 *   its own gRPC server with it) and DNS names matching
 *   `*.<cluster>.<namespace>.svc`.
 * - `operatorSecretName`: the client certificate the operator (and backup
 *   Jobs) present; its `ca.crt` verifies the members' server certificate.
 */
export interface EtcdClientTLS {
  generate?: boolean;
  serverSecretName?: string;
  operatorSecretName?: string;
}

/**
 * Peer TLS: members talk to each other over https with mutual certificate
 * authentication (`--peer-client-cert-auth`). Either `generate: true`
 * (`<cluster>-tls-peer`, signed by the same generated CA) or `secretName`:
 * a `kubernetes.io/tls` Secret whose certificate has the `serverAuth` and
 * `clientAuth` usages and the DNS name
 * `*.<cluster>.<namespace>.svc.<cluster domain>` (etcd checks a connecting
 * peer's certificate against the reverse DNS name of its address), and
 * whose `ca.crt` signs it.
 */
export interface EtcdPeerTLS {
  generate?: boolean;
  secretName?: string;
}

/**
 * TLS of the cluster. Immutable after creation: an existing cluster is not
 * switched between http and https. Certificates rotate by updating their
 * Secrets; members pick the new files up without a restart.
 */
export interface EtcdTLSSpec {
  client?: EtcdClientTLS;
  peer?: EtcdPeerTLS;
}

/** How the cluster is scraped by Prometheus. */
export interface EtcdMonitoringSpec {
  /**
   * Create a monitoring.coreos.com/v1 ServiceMonitor for the members' /metrics
   * when that CRD is installed (default true); false deletes it.
   */
  serviceMonitor?: boolean;
}

/** Defragmentation on a schedule, besides the one NOSPACE triggers. */
export interface EtcdDefragmentationSpec {
  /** Cron in UTC (5 fields), a macro (`@daily`, ...) or `@every <duration>`, as EtcdBackup's schedule. */
  schedule: string;
}

/** A recovery from a NOSPACE alarm (or a scheduled defragmentation) in progress (runbook/space.ts), recorded before each stage. */
export interface EtcdSpaceRecoveryStatus {
  /** What started it: a NOSPACE alarm (the default when absent) or `spec.defragmentation.schedule`. */
  trigger?: 'NoSpace' | 'Schedule';
  /** `Compacting`, then `Defragmenting` (one member per pass, leader last), `Disarming`, `Disarmed`. */
  phase: 'Compacting' | 'Defragmenting' | 'Disarming' | 'Disarmed';
  /** RFC 3339, when the alarm was first acted on. */
  startedAt: string;
  /** Revision the history is compacted to (decimal); absent for a scheduled defragmentation. */
  revision?: string;
  /** Members defragmented so far. */
  defragmented: string[];
}

/** Space management of the cluster's backends. */
export interface EtcdSpaceStatus {
  /** A recovery from NOSPACE in progress. */
  recovery?: EtcdSpaceRecoveryStatus;
  /** RFC 3339, when the last recovery from NOSPACE finished (writes accepted again). */
  lastRecoveryTime?: string;
  /**
   * RFC 3339, when every member was last defragmented (by a recovery or the
   * schedule); with a schedule and no defragmentation yet, when the schedule
   * was first seen (the schedule counts from it).
   */
  lastDefragmentationTime?: string;
}

/** Spreading members over nodes: `Preferred` (default), `Required` or `None`. */
export type EtcdAntiAffinity = 'Preferred' | 'Required' | 'None';

/** Declared intent for one etcd cluster. */
export interface EtcdClusterSpec {
  /** Number of voting members, 1..9 (odd recommended). Default 3. */
  size: number;
  /** etcd release `X.Y.Z`. Upgrades move one minor at a time; downgrades are refused. */
  version: string;
  /** Image repository (default {@link DEFAULT_ETCD_REPOSITORY}). */
  repository?: string;
  /** Immutable after creation. Default `{ type: PersistentVolume, size: 1Gi }`. */
  storage: EtcdStorageSpec;
  /** What happens to the members' PVCs on deletion and scale-down (default: both `Retain`). */
  persistentVolumeClaimRetentionPolicy?: EtcdPvcRetentionPolicy;
  /** While true the operator changes nothing; status keeps refreshing. */
  paused?: boolean;
  podTemplate?: EtcdPodTemplate;
  etcdOptions?: EtcdOptions;
  antiAffinity?: EtcdAntiAffinity;
  /** How the cluster starts (empty, or restored from a backup). Immutable. */
  bootstrap?: EtcdBootstrap;
  /** Disaster recovery after quorum loss (default `manual`). */
  recovery?: EtcdRecoveryPolicy;
  /**
   * How long no member may give a quorum-confirmed member list before
   * disaster recovery starts, in seconds ({@link MIN_RECOVERY_DELAY_SECONDS}..
   * {@link MAX_RECOVERY_DELAY_SECONDS}, default {@link DEFAULT_RECOVERY_DELAY_SECONDS}).
   */
  recoveryDelaySeconds?: number;
  /**
   * How long a member may stay unhealthy (not answering `/health`: crashing,
   * its Pod Pending or stuck Terminating, its node NotReady or gone) before it
   * is replaced by a new member with a new PVC, while quorum allows, in
   * seconds ({@link MIN_MEMBER_FAILURE_TIMEOUT_SECONDS}..
   * {@link MAX_MEMBER_FAILURE_TIMEOUT_SECONDS}, default
   * {@link DEFAULT_MEMBER_FAILURE_TIMEOUT_SECONDS}). Counted from
   * `status.members[].unhealthySince`.
   */
  memberFailureTimeoutSeconds?: number;
  /** Client and peer TLS (default: plain http on both). Immutable after creation. */
  tls?: EtcdTLSSpec;
  /** Prometheus scraping (a ServiceMonitor when its CRD is installed). */
  monitoring?: EtcdMonitoringSpec;
  /** Defragment every member on a schedule (one at a time, leader last). */
  defragmentation?: EtcdDefragmentationSpec;
}

/** Lifecycle summary for `kubectl get`. */
export type EtcdClusterPhase =
  | 'Creating'
  | 'Running'
  | 'Scaling'
  | 'Upgrading'
  /** Rolling a changed member Pod template out, one member at a time (rollout.ts). */
  | 'Updating'
  | 'Recovering'
  | 'Paused'
  | 'Unavailable';

/** One member as the operator last saw it. */
export interface EtcdMemberStatus {
  /** Member (and Pod, and PVC) name. */
  name: string;
  /** etcd member ID in hex, as etcdctl prints it. */
  id: string;
  peerURL: string;
  /** Server version the member reports (absent when unreachable). */
  version?: string;
  healthy: boolean;
  learner: boolean;
  leader: boolean;
  /**
   * Highest raft index seen on this member while it answered (decimal); kept
   * while it does not answer, so a recovery can say what it may lose.
   */
  raftIndex?: string;
  /**
   * RFC 3339, when the member was first seen unhealthy in its current spell
   * (absent while healthy): a member unhealthy for longer than
   * `spec.memberFailureTimeoutSeconds` is replaced.
   */
  unhealthySince?: string;
}

/** metav1.Condition, as core defines it. */
export type { Condition } from '@switchboard/core';

/** Condition types the operator maintains. */
export const ConditionType = {
  /** A quorum of healthy voters serves requests. */
  Available: 'Available',
  /** The operator is moving the cluster towards the spec (step named in the reason). */
  Progressing: 'Progressing',
  /** Something is wrong that the operator may or may not be able to fix (a member down, quorum lost). */
  Degraded: 'Degraded',
} as const;

/** What the operator observed and is doing. Recomputed on every reconcile. */
export interface EtcdClusterStatus {
  phase?: EtcdClusterPhase;
  observedGeneration?: number;
  /** etcd cluster ID in hex, recorded once the seed member answers. */
  clusterID?: string;
  /** Lowest version any member runs (the cluster's effective version). */
  currentVersion?: string;
  /** The version being rolled out (spec.version once an upgrade starts). */
  targetVersion?: string;
  /** Hex ID of the raft leader. */
  leaderID?: string;
  members?: EtcdMemberStatus[];
  /** Healthy voting members. */
  readyMembers?: number;
  /**
   * Members whose Pod is on the current member template (the spec's etcd
   * options, Pod template and this operator's own): during a rollout, fewer
   * than the members (runbook/rollout.ts).
   */
  updatedMembers?: number;
  /**
   * When quorum was seen lost: no member could give the operator a
   * quorum-confirmed member list and no majority of the member Pods was
   * Ready (cleared when either changes).
   */
  quorumLostSince?: string;
  /** A disaster recovery in progress. */
  recovery?: EtcdRecoveryStatus;
  /**
   * PVCs of members lost in a disaster recovery, or replaced after their
   * node was lost (runbook/replace-member.ts), kept aside (label
   * etcd.switchboard.dev/quarantined-by, no owner reference): never reused or
   * deleted by the operator; they may hold writes the cluster lost.
   */
  quarantinedPVCs?: string[];
  /** Space management: a NOSPACE recovery in progress, the last one finished. */
  space?: EtcdSpaceStatus;
  conditions?: Condition[];
}

/**
 * An EtcdCluster object: what `EtcdClusterResource.client()` (./crd.ts) reads
 * and writes, so the typed client needs no kind descriptor of its own.
 */
export interface EtcdCluster extends Resource<EtcdClusterSpec, EtcdClusterStatus> {
  metadata: ObjectMeta;
}
