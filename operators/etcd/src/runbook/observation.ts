// What one reconcile knows about the world, read fresh on every pass (never
// cached between passes): the Kubernetes objects of the cluster and, when a
// member in contact with a quorum answered, etcd's own member list with each
// member's status. The runbook's decisions are pure functions of this.
import type { EtcdClusterSpec, EtcdClusterStatus } from '../api/types.js';
import type { EtcdAlarm, EtcdEndpointStatus, EtcdMember } from '../etcd/etcd-client.js';
import type { ForeignAnswer } from './cluster-identity.js';
import type { BackupSnapshot, RestoreSource } from './restore.js';

/** A member's Pod as the runbook needs it. */
export interface MemberPod {
  /** Pod name = member name. */
  name: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  ready: boolean;
  podIP?: string;
  /** etcd version of the Pod's image (the tag without `v`). */
  imageVersion?: string;
  /** Restarts of the etcd container; a crash loop shows here. */
  restartCount: number;
  /** RFC 3339 creation time; orders members by age. */
  createdAt: string;
  /** Being deleted (has a deletionTimestamp). */
  terminating: boolean;
  /** The Pod's UID: a delete carries it as a precondition, so a Pod recreated since is never deleted. */
  uid?: string;
  /** Started with --force-new-cluster (disaster recovery, recover.ts). */
  forceNewCluster?: boolean;
  /**
   * Hash of the template the Pod was made from (its annotation; absent on a
   * Pod an older operator made): compared with
   * {@link ClusterObservation.memberTemplateHash} by the rollout (rollout.ts).
   */
  templateHash?: string;
  /**
   * An init container (a seed's snapshot download or restore) that failed
   * last time it ran, e.g. `fetch-snapshot exited 1 after 3 restarts: ...`;
   * the kubelet retries it with backoff.
   */
  initFailure?: string;
  /** The node the Pod is bound to (absent while unscheduled). */
  nodeName?: string;
  /**
   * Why the member's node looks lost, when it does: the node the Pod runs on,
   * or the one its PVC's volume is bound to (a local volume's nodeAffinity),
   * is NotReady or gone, e.g. `node n2 is NotReady (Ready=Unknown: Kubelet
   * stopped posting node status)`. Read only for Pods that are not Ready.
   */
  nodeProblem?: string;
}

/** A member that answers its own status while there is no quorum (recover.ts). */
export interface SurvivorCandidate {
  memberName: string;
  /** Hex ID. */
  memberId: string;
  raftIndex: bigint;
  raftAppliedIndex: bigint;
  /** Cluster ID it reports (hex); a member of another cluster holds none of this cluster's data. */
  clusterId?: string;
  /** It is a learner: not a voter, its log may be far behind; never a survivor. */
  learner?: boolean;
}

/** One etcd member joined with what its own endpoint says. */
export interface ObservedMember extends EtcdMember {
  /** Name from the peer URL (the list's name is empty until the member starts). */
  memberName: string;
  /** The member's own status, when its endpoint answered. */
  status?: EtcdEndpointStatus;
  /** `/health` said true. */
  healthy: boolean;
}

/** etcd as seen through a member in contact with a quorum. */
export interface ObservedMembership {
  clusterId: string;
  members: ObservedMember[];
  /** Hex ID of the leader, when some member knows it. */
  leaderId?: string;
  alarms: EtcdAlarm[];
}

/** Everything one reconcile pass decides from. */
/** What a member removal does with the member's PVC (the RemoveMember step's `volume`). */
export interface VolumeFate {
  volume: 'Delete' | 'Retain' | 'Quarantine';
  /** Label value of the quarantine (`volume: Quarantine`). */
  quarantineId?: string;
}

/** The REMOVAL_FATE_ANNOTATION value of `fate`. */
export function formatVolumeFate(fate: VolumeFate): string {
  return fate.volume === 'Quarantine' ? `Quarantine:${fate.quarantineId ?? 'replaced'}` : fate.volume;
}

/** A REMOVAL_FATE_ANNOTATION value read back; undefined for anything else. */
export function parseVolumeFate(value: string | undefined): VolumeFate | undefined {
  if (value === 'Delete' || value === 'Retain') return { volume: value };
  const quarantine = /^Quarantine:([0-9A-Za-z._-]{1,63})$/.exec(value ?? '');
  return quarantine ? { volume: 'Quarantine', quarantineId: quarantine[1]! } : undefined;
}

export interface ClusterObservation {
  name: string;
  namespace: string;
  generation: number;
  spec: EtcdClusterSpec;
  /** Status as last written (for clusterID and condition transition times). */
  previousStatus: EtcdClusterStatus;
  /** Member Pods by name (terminating ones included, flagged). */
  pods: ReadonlyMap<string, MemberPod>;
  /** Names of the members' PVCs that exist: ours, not retained or quarantined (retention.ts, quarantine.ts). */
  pvcs: ReadonlySet<string>;
  /** UIDs of the PVCs in `pvcs`, by name: a delete carries it as a precondition. */
  pvcUids?: ReadonlyMap<string, string>;
  /**
   * What a member removal that began said it would do with each PVC in
   * `pvcs` (REMOVAL_FATE_ANNOTATION), by name; absent for PVCs without one.
   */
  pvcFates?: ReadonlyMap<string, VolumeFate>;
  /**
   * Names of PVCs a disaster recovery set aside (quarantine.ts): never a
   * member's data, never deleted, never a new member's name. Absent: none.
   */
  quarantinedPvcs?: ReadonlySet<string>;
  /** Names of this cluster's PVCs kept by the retention policy: never used or deleted again (retention.ts). */
  retainedPvcs?: ReadonlySet<string>;
  /**
   * Names of Pods and PVCs labelled with this cluster's name but made by
   * another EtcdCluster (a deleted namesake; retention.ts): never used or
   * deleted, and never a new member's name.
   */
  foreign?: ReadonlySet<string>;
  /**
   * Undefined when no member of this cluster could answer a linearizable
   * member list (one with another cluster's ID is never used: cluster-identity.ts).
   */
  membership?: ObservedMembership;
  /** Member Pods whose etcd answered with another cluster's ID (cluster-identity.ts). */
  foreignAnswers?: ForeignAnswer[];
  /** When the observation was made (ms since the epoch); ages of Pods are measured from it. */
  observedAt?: number;
  /** Why membership is undefined (the last error seen), for status messages. */
  membershipError?: string;
  /** The backup to seed from, read only while a `spec.bootstrap.restore` cluster has not been created. */
  restoreSource?: RestoreSource;
  /** Members answering their own status, read only when quorum is lost and recovery is asked for. */
  survivors?: SurvivorCandidate[];
  /** The recover annotation is set on the EtcdCluster. */
  recoverAnnotation?: boolean;
  /**
   * Verified PVC snapshots of this cluster among the namespace's EtcdBackups,
   * read only when quorum is lost, recovery is asked for and no member
   * answers with the cluster's ID (recover-from-backup.ts).
   */
  recoveryBackups?: BackupSnapshot[];
  /** The EtcdCluster's UID (part of a restored cluster's token). */
  uid?: string;
  /**
   * Hash of the member Pod template the spec asks for now (../kube/member-pod.ts
   * memberTemplateHash). Absent: no rollout is planned (rollout.ts).
   */
  memberTemplateHash?: string;
}

/** Voting members. */
export function voters(membership: ObservedMembership): ObservedMember[] {
  return membership.members.filter((m) => !m.isLearner);
}

/** Learners. */
export function learners(membership: ObservedMembership): ObservedMember[] {
  return membership.members.filter((m) => m.isLearner);
}

/** Voters answering `/health` and their count, for the quorum checks. */
export function voterCount(membership: ObservedMembership): { voters: number; healthyVoters: number } {
  const v = voters(membership);
  return { voters: v.length, healthyVoters: v.filter((m) => m.healthy).length };
}

/** True when a member has started at least once (it publishes its name on start). */
export function hasStarted(member: EtcdMember): boolean {
  return member.name !== '';
}

/** True for a member whose Pod is gone for good (no Pod, or only a terminating one). */
export function podIsGone(obs: ClusterObservation, member: string): boolean {
  const pod = obs.pods.get(member);
  return pod === undefined;
}

/** True when members keep data on PVCs (the data outlives the Pod). */
export function isPersistent(obs: ClusterObservation): boolean {
  return obs.spec.storage.type !== 'Ephemeral';
}
