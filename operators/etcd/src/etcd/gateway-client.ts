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
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';

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

  constructor(
    readonly endpoint: string,
    opts: GatewayClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
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
      revision: Number(str(h.revision) || '0'),
      isLearner: body.isLearner === true,
      dbSize: Number(str(body.dbSize) || '0'),
      errors: strings(body.errors),
    };
  }

  async health(opts: EtcdCallOptions = {}): Promise<boolean> {
    const res = await this.fetch('health', '/health', undefined, opts);
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

  async *snapshot(opts: EtcdCallOptions = {}): AsyncGenerator<Uint8Array, void, undefined> {
    // A whole keyspace takes longer than one call's timeout: only the caller's signal bounds it.
    const res = await this.fetch('snapshot', '/v3/maintenance/snapshot', {}, opts, false);
    if (!res.ok || res.body === null) {
      const body = (await res.json().catch(() => ({}))) as Json;
      const error = (body.error ?? body) as Json;
      const message = str(error.message) || str(body.error) || `HTTP ${res.status}`;
      throw new EtcdRequestError(reasonOfEtcdMessage(message), this.endpoint, 'snapshot', message);
    }
    // Every chunk but the newest is hashed, so when the stream ends the
    // newest (the trailer) can be compared with the hash of all before it.
    const hash: Hash = createHash('sha256');
    let held: Buffer | undefined;
    let remaining: number | undefined;
    for await (const message of this.streamMessages(res.body, opts)) {
      const result = message.result as Json | undefined;
      if (message.error !== undefined || result === undefined) {
        const error = (message.error ?? {}) as Json;
        const text = str(error.message) || 'the snapshot stream ended with an error';
        throw new EtcdRequestError(reasonOfEtcdMessage(text), this.endpoint, 'snapshot', text);
      }
      if (held !== undefined) {
        hash.update(held);
        yield held;
      }
      held = Buffer.from(str(result.blob), 'base64');
      remaining = Number(str(result.remaining_bytes) || '0');
    }
    const digest = hash.digest();
    if (held === undefined || remaining !== 0 || !held.equals(digest)) {
      throw new EtcdRequestError(
        'Unknown',
        this.endpoint,
        'snapshot',
        remaining !== 0
          ? `the snapshot stream ended early (${remaining ?? 'all'} bytes missing)`
          : 'the snapshot does not match the sha256 the member sent after it',
      );
    }
    yield held;
  }

  /** The newline-delimited JSON messages of a server-streaming gateway call. */
  private async *streamMessages(
    body: ReadableStream<Uint8Array>,
    opts: EtcdCallOptions,
  ): AsyncGenerator<Json> {
    const decoder = new TextDecoder();
    let text = '';
    try {
      for await (const bytes of body) {
        text += decoder.decode(bytes, { stream: true });
        let newline = text.indexOf('\n');
        while (newline >= 0) {
          const line = text.slice(0, newline).trim();
          text = text.slice(newline + 1);
          if (line !== '') yield JSON.parse(line) as Json;
          newline = text.indexOf('\n');
        }
      }
    } catch (err) {
      if (err instanceof SyntaxError)
        throw new EtcdRequestError('Unknown', this.endpoint, 'snapshot', err.message);
      const aborted = opts.signal?.aborted === true;
      throw new EtcdRequestError(
        aborted ? 'Timeout' : 'Unreachable',
        this.endpoint,
        'snapshot',
        String(err),
        {
          cause: err,
        },
      );
    }
    const last = (text + decoder.decode()).trim();
    if (last !== '') yield JSON.parse(last) as Json;
  }

  private async call(operation: string, path: string, request: Json, opts: EtcdCallOptions): Promise<Json> {
    const res = await this.fetch(operation, path, request, opts);
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
    callTimeout = true,
  ): Promise<Response> {
    const signals = [
      ...(callTimeout ? [AbortSignal.timeout(this.timeoutMs)] : []),
      ...(opts.signal ? [opts.signal] : []),
    ];
    try {
      return await fetch(`${this.endpoint}${path}`, {
        method: request === undefined ? 'GET' : 'POST',
        headers: request === undefined ? {} : { 'content-type': 'application/json' },
        body: request === undefined ? null : JSON.stringify(request),
        ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
      });
    } catch (err) {
      const timedOut =
        opts.signal?.aborted === true ||
        (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'));
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
