// EtcdEndpointClient over etcd's own HTTP/JSON gateway (the grpc-gateway every
// etcd server serves on its client port at /v3/...), with Node's fetch.
//
// Why not the etcd3 package: its pooled client spreads calls over hosts and
// retries failed ones, which is wrong for MemberAdd (not idempotent) and for
// reads that must come from one chosen member; turning that off leaves a gRPC
// stack we do not need. The gateway is part of etcd's API in 3.5 and 3.6,
// answers one request with one response, and takes an AbortSignal for
// timeouts. Its JSON spells uint64 fields as decimal strings; IDs are
// converted to hex here, as etcdctl prints them.
import type {
  EtcdAlarm,
  EtcdCallOptions,
  EtcdEndpointClient,
  EtcdEndpointStatus,
  EtcdMember,
  EtcdMemberList,
} from './etcd-client.js';
import { EtcdRequestError, reasonOfEtcdMessage } from './etcd-client.js';

/** Options of {@link GatewayEtcdClient}. */
export interface GatewayClientOptions {
  /** Per-call timeout in ms (default 5000), combined with the caller's signal. */
  timeoutMs?: number;
  /** Timeout of {@link GatewayEtcdClient.defragment} in ms (default 120 000): it rewrites the member's whole database. */
  defragmentTimeoutMs?: number;
}

/** Hex member ID from the gateway's decimal uint64 text. */
export function hexId(decimal: string | number | undefined): string {
  if (decimal === undefined || decimal === '') return '0';
  return BigInt(decimal).toString(16);
}

/** The gateway's decimal uint64 text from a hex member ID. */
export function decimalId(hex: string): string {
  return BigInt(`0x${hex}`).toString(10);
}

type Json = Record<string, unknown>;

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function toMember(raw: unknown): EtcdMember {
  const m = (raw ?? {}) as Json;
  return {
    id: hexId(str(m.ID)),
    name: str(m.name),
    peerURLs: strings(m.peerURLs),
    clientURLs: strings(m.clientURLs),
    isLearner: m.isLearner === true,
  };
}

function header(body: Json): Json {
  return (body.header ?? {}) as Json;
}

const base64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/**
 * A client of one etcd member's client URL.
 *
 * @example
 * ```ts
 * const etcd = new GatewayEtcdClient('http://10.244.0.12:2379');
 * const { members } = await etcd.memberList({ linearizable: true });
 * ```
 */
export class GatewayEtcdClient implements EtcdEndpointClient {
  private readonly timeoutMs: number;
  private readonly defragmentTimeoutMs: number;

  constructor(
    readonly endpoint: string,
    opts: GatewayClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.defragmentTimeoutMs = opts.defragmentTimeoutMs ?? 120_000;
  }

  async memberList(opts: EtcdCallOptions & { linearizable?: boolean } = {}): Promise<EtcdMemberList> {
    const body = await this.call(
      'memberList',
      '/v3/cluster/member/list',
      { linearizable: opts.linearizable ?? false },
      opts,
    );
    return {
      clusterId: hexId(str(header(body).cluster_id)),
      members: ((body.members as unknown[] | undefined) ?? []).map(toMember),
    };
  }

  async memberAdd(peerURL: string, opts: EtcdCallOptions & { learner?: boolean } = {}): Promise<EtcdMember> {
    const body = await this.call(
      'memberAdd',
      '/v3/cluster/member/add',
      { peerURLs: [peerURL], isLearner: opts.learner ?? false },
      opts,
    );
    return toMember(body.member);
  }

  async memberRemove(id: string, opts: EtcdCallOptions = {}): Promise<void> {
    await this.call('memberRemove', '/v3/cluster/member/remove', { ID: decimalId(id) }, opts);
  }

  async memberPromote(id: string, opts: EtcdCallOptions = {}): Promise<void> {
    await this.call('memberPromote', '/v3/cluster/member/promote', { ID: decimalId(id) }, opts);
  }

  async moveLeader(targetId: string, opts: EtcdCallOptions = {}): Promise<void> {
    await this.call(
      'moveLeader',
      '/v3/maintenance/transfer-leadership',
      { targetID: decimalId(targetId) },
      opts,
    );
  }

  async status(opts: EtcdCallOptions = {}): Promise<EtcdEndpointStatus> {
    const body = await this.call('status', '/v3/maintenance/status', {}, opts);
    const h = header(body);
    return {
      memberId: hexId(str(h.member_id)),
      clusterId: hexId(str(h.cluster_id)),
      version: str(body.version),
      leaderId: hexId(str(body.leader)),
      raftIndex: BigInt(str(body.raftIndex) || '0'),
      raftAppliedIndex: BigInt(str(body.raftAppliedIndex) || '0'),
      isLearner: body.isLearner === true,
      dbSize: Number(str(body.dbSize) || '0'),
      ...(str(body.dbSizeInUse) ? { dbSizeInUse: Number(str(body.dbSizeInUse)) } : {}),
      ...(str(h.revision) ? { revision: BigInt(str(h.revision)) } : {}),
      errors: strings(body.errors),
    };
  }

  async health(opts: EtcdCallOptions = {}): Promise<boolean> {
    // NOSPACE is excluded: a member out of space still serves reads and
    // deletes, and the space runbook (runbook/space.ts) reports and clears it.
    const res = await this.fetch('health', '/health?exclude=NOSPACE', undefined, opts);
    const body = (await res.json().catch(() => ({}))) as Json;
    return res.ok && body.health === 'true';
  }

  async alarms(opts: EtcdCallOptions = {}): Promise<EtcdAlarm[]> {
    const body = await this.call('alarms', '/v3/maintenance/alarm', { action: 'GET' }, opts);
    return ((body.alarms as unknown[] | undefined) ?? []).map((raw) => {
      const a = (raw ?? {}) as Json;
      return { memberId: hexId(str(a.memberID)), alarm: str(a.alarm) || 'NONE' };
    });
  }

  async compact(revision: bigint, opts: EtcdCallOptions = {}): Promise<void> {
    await this.call('compact', '/v3/kv/compaction', { revision: revision.toString(), physical: true }, opts);
  }

  async defragment(opts: EtcdCallOptions = {}): Promise<void> {
    await this.call('defragment', '/v3/maintenance/defragment', {}, opts, this.defragmentTimeoutMs);
  }

  async disarmAlarm(memberId: string, alarm: string, opts: EtcdCallOptions = {}): Promise<void> {
    await this.call(
      'disarmAlarm',
      '/v3/maintenance/alarm',
      { action: 'DEACTIVATE', memberID: decimalId(memberId), alarm },
      opts,
    );
  }

  async put(key: string, value: string, opts: EtcdCallOptions = {}): Promise<void> {
    await this.call('put', '/v3/kv/put', { key: base64(key), value: base64(value) }, opts);
  }

  async get(
    key: string,
    opts: EtcdCallOptions & { serializable?: boolean } = {},
  ): Promise<string | undefined> {
    const body = await this.call(
      'get',
      '/v3/kv/range',
      { key: base64(key), serializable: opts.serializable ?? false },
      opts,
    );
    const kv = ((body.kvs as unknown[] | undefined) ?? [])[0] as Json | undefined;
    return kv === undefined ? undefined : Buffer.from(str(kv.value), 'base64').toString('utf8');
  }

  private async call(
    operation: string,
    path: string,
    request: Json,
    opts: EtcdCallOptions,
    timeoutMs = this.timeoutMs,
  ): Promise<Json> {
    const res = await this.fetch(operation, path, request, opts, timeoutMs);
    const body = (await res.json().catch(() => ({}))) as Json;
    if (!res.ok || typeof body.error === 'string') {
      const message = str(body.message) || str(body.error) || `HTTP ${res.status}`;
      throw new EtcdRequestError(reasonOfEtcdMessage(message), this.endpoint, operation, message);
    }
    return body;
  }

  private async fetch(
    operation: string,
    path: string,
    request: Json | undefined,
    opts: EtcdCallOptions,
    timeoutMs = this.timeoutMs,
  ): Promise<Response> {
    const signals = [AbortSignal.timeout(timeoutMs), ...(opts.signal ? [opts.signal] : [])];
    try {
      return await fetch(`${this.endpoint}${path}`, {
        method: request === undefined ? 'GET' : 'POST',
        headers: request === undefined ? {} : { 'content-type': 'application/json' },
        body: request === undefined ? null : JSON.stringify(request),
        signal: AbortSignal.any(signals),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new EtcdRequestError(
        timedOut ? 'Timeout' : 'Unreachable',
        this.endpoint,
        operation,
        String(err),
        { cause: err },
      );
    }
  }
}
