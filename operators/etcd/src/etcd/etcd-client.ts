// What the runbook needs from etcd, as an interface the unit tests fake and
// ./gateway-client.ts implements against a real member.
//
// One client talks to exactly one endpoint. The runbook chooses which member
// to ask (the leader for a leadership move, any healthy voter for membership)
// and never lets a library pick another host or retry behind its back: a
// retried MemberAdd can add the same peer twice, and a member list from a
// partitioned member can be stale. Membership reads ask for a linearizable
// list, which only a member in contact with a quorum can answer.

/** An etcd member as the member list reports it. IDs are hex, as etcdctl prints them. */
/**
 * How long the operator waits for one member's defragmentation (ms). etcd
 * blocks the member's reads while it rebuilds the database file, /livez
 * included (its serializable read waits for the backend's read lock: etcd
 * v3.6 server/storage/backend/backend.go `defrag`), so the member Pod's
 * liveness probe tolerates a blocked /livez for longer than this
 * (../kube/member-pod.ts derives its failureThreshold from it): the kubelet
 * never kills a member the operator is still waiting for. 1 GB of live data
 * defragmented in about 13 s on a 2-core test machine: 120 s is several GB.
 */
export const DEFRAGMENT_TIMEOUT_MS = 120_000;

export interface EtcdMember {
  id: string;
  /** Empty until the member has started and published its name. */
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

/** The member list with the cluster it came from. */
export interface EtcdMemberList {
  clusterId: string;
  members: EtcdMember[];
}

/** One member's own view (Maintenance.Status). */
export interface EtcdEndpointStatus {
  memberId: string;
  clusterId: string;
  /** Server version, e.g. `3.6.16`. */
  version: string;
  /** Hex ID of the leader this member follows; `0` when it knows none. */
  leaderId: string;
  raftIndex: bigint;
  raftAppliedIndex: bigint;
  isLearner: boolean;
  dbSize: number;
  /** Bytes of the backend in use; `dbSize - dbSizeInUse` is what a defragmentation frees (absent before 3.4). */
  dbSizeInUse?: number;
  /** The member's current store revision (from the response header). */
  revision?: bigint;
  errors: string[];
}

/** An alarm raised on a member (NOSPACE, CORRUPT). */
export interface EtcdAlarm {
  memberId: string;
  /** `NOSPACE`, `CORRUPT` (etcd may add others). */
  alarm: string;
}

/** Options of one call. */
export interface EtcdCallOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
}

/** A client of one etcd endpoint. Every method is one request, never retried. */
export interface EtcdEndpointClient {
  /** Client URL this client talks to. */
  readonly endpoint: string;
  /** The member list; `linearizable` makes the member confirm it with a quorum first. */
  memberList(opts?: EtcdCallOptions & { linearizable?: boolean }): Promise<EtcdMemberList>;
  /** Adds a member (as a learner when asked); returns it with its new ID. Not idempotent. */
  memberAdd(peerURL: string, opts?: EtcdCallOptions & { learner?: boolean }): Promise<EtcdMember>;
  memberRemove(id: string, opts?: EtcdCallOptions): Promise<void>;
  /** Fails with reason `LearnerNotInSync` until the learner has caught up with the leader. */
  memberPromote(id: string, opts?: EtcdCallOptions): Promise<void>;
  /** Must be sent to the current leader. */
  moveLeader(targetId: string, opts?: EtcdCallOptions): Promise<void>;
  status(opts?: EtcdCallOptions): Promise<EtcdEndpointStatus>;
  /** The member's `/health` verdict: it has a leader and no alarm other than NOSPACE (runbook/space.ts handles that one). */
  health(opts?: EtcdCallOptions): Promise<boolean>;
  alarms(opts?: EtcdCallOptions): Promise<EtcdAlarm[]>;
  /**
   * Compacts the key-value history up to `revision` (decimal), waiting until
   * the compaction is applied to the backend (`physical`). Fails with reason
   * `Compacted` when the history is already compacted at or past it.
   */
  compact(revision: bigint, opts?: EtcdCallOptions): Promise<void>;
  /**
   * Defragments this member's backend (only this member: etcd rebuilds its
   * database file, blocking its reads and writes meanwhile). Slow: the gateway
   * client allows it {@link DEFRAGMENT_TIMEOUT_MS}, longer than other calls.
   */
  defragment(opts?: EtcdCallOptions): Promise<void>;
  /** Deactivates one alarm of one member (hex ID), e.g. `NOSPACE`. Disarming an absent alarm is a no-op. */
  disarmAlarm(memberId: string, alarm: string, opts?: EtcdCallOptions): Promise<void>;
  /** Writes a key (used by tests and the demo to prove the data path). */
  put(key: string, value: string, opts?: EtcdCallOptions): Promise<void>;
  /** Reads a key; `serializable` answers from this member's own store. */
  get(key: string, opts?: EtcdCallOptions & { serializable?: boolean }): Promise<string | undefined>;
  /**
   * Streams a snapshot of the member's backend (Maintenance.Snapshot), chunk
   * by chunk, exactly as `etcdctl snapshot save` writes it: the database
   * followed by its 32-byte sha256, which is checked before the last chunk is
   * yielded (a torn or corrupt stream throws). No timeout but the signal's.
   */
  snapshot(opts?: EtcdCallOptions): AsyncGenerator<Uint8Array, void, undefined>;
}

/**
 * What a client presents and trusts on an https endpoint of a cluster with
 * client TLS: PEM text, as read from the operator's client Secret.
 */
export interface EtcdTLSMaterial {
  /** CA certificate(s) the server's certificate must chain to (`ca.crt`). */
  ca: string;
  /** Client certificate (`tls.crt`); without it a server with client-cert auth refuses the connection. */
  cert?: string;
  /** Its private key (`tls.key`). */
  key?: string;
  /**
   * Name to check the server's certificate against instead of the URL's host
   * (a member reached by Pod IP has no name in its URL).
   */
  serverName?: string;
}

/**
 * Makes the client of one endpoint, with the cluster's TLS material when its
 * clients use TLS (undefined for plain http). Injected so tests can hand out
 * fakes.
 */
export type EtcdClientFactory = (endpoint: string, tls?: EtcdTLSMaterial) => EtcdEndpointClient;

/** Why an etcd call failed, for callers that branch on it. */
export type EtcdErrorReason =
  | 'Unreachable'
  /** The TLS handshake failed: the server's certificate was not trusted, or it refused ours (or its absence). */
  | 'TLSFailed'
  | 'Timeout'
  | 'LearnerNotInSync'
  | 'MemberNotFound'
  | 'MemberExists'
  | 'NotLeader'
  | 'TooManyLearners'
  | 'Unhealthy'
  | 'Compacted'
  | 'NoSpace'
  | 'Unknown';

/** A failed etcd call, naming the endpoint and what was asked. */
export class EtcdRequestError extends Error {
  constructor(
    readonly reason: EtcdErrorReason,
    readonly endpoint: string,
    readonly operation: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`etcd ${operation} at ${endpoint}: ${message}`, options);
    this.name = 'EtcdRequestError';
  }
}

/** Reason of an etcd error message (the server's texts are stable across 3.5 and 3.6). */
export function reasonOfEtcdMessage(message: string): EtcdErrorReason {
  if (message.includes('can only promote a learner member which is in sync with leader'))
    return 'LearnerNotInSync';
  if (message.includes('member not found')) return 'MemberNotFound';
  // A second add of the same peer URL fails with one or the other, depending on timing.
  if (message.includes('Peer URLs already exists') || message.includes('member ID already exist'))
    return 'MemberExists';
  if (message.includes('not leader')) return 'NotLeader';
  // The leader refuses a membership change that its recent view of peer
  // activity says could cost quorum (strict reconfig check); retry later.
  if (message.includes('unhealthy cluster')) return 'Unhealthy';
  if (message.includes('too many learner members')) return 'TooManyLearners';
  if (message.includes('required revision has been compacted')) return 'Compacted';
  if (message.includes('database space exceeded')) return 'NoSpace';
  if (message.includes('timed out') || message.includes('deadline exceeded')) return 'Timeout';
  return 'Unknown';
}
