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
//
// https endpoints (clusters with client TLS): Node's fetch takes no TLS
// options, so those requests go through undici's fetch with an Agent whose
// `connect` options carry the CA, the client certificate and key. Plain
// http keeps using Node's fetch, unchanged.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';

import { Agent, fetch as undiciFetch } from 'undici';

import type {
  EtcdAlarm,
  EtcdCallOptions,
  EtcdClientFactory,
  EtcdEndpointClient,
  EtcdEndpointStatus,
  EtcdMember,
  EtcdMemberList,
  EtcdTLSMaterial,
} from './etcd-client.js';
import { DEFRAGMENT_TIMEOUT_MS, EtcdRequestError, reasonOfEtcdMessage } from './etcd-client.js';

/** Options of {@link GatewayEtcdClient}. */
export interface GatewayClientOptions {
  /** Per-call timeout in ms (default 5000), combined with the caller's signal. */
  timeoutMs?: number;
  /** Timeout of {@link GatewayEtcdClient.defragment} in ms (default {@link DEFRAGMENT_TIMEOUT_MS}): it rewrites the member's whole database. */
  defragmentTimeoutMs?: number;
  /**
   * TLS material for an https endpoint. Without `agent`, the client makes an
   * Agent of its own from it (release it with {@link GatewayEtcdClient.close}).
   */
  tls?: EtcdTLSMaterial;
  /**
   * A shared undici Agent made with {@link tlsAgent} for the same material:
   * clients made per call (the controller's factory) then share connections.
   */
  agent?: Agent;
}

/** An undici Agent that presents and trusts `tls` on every connection it opens. */
export function tlsAgent(tls: EtcdTLSMaterial): Agent {
  return new Agent({
    connect: {
      ca: tls.ca,
      ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
      ...(tls.key !== undefined ? { key: tls.key } : {}),
      ...(tls.serverName !== undefined ? { servername: tls.serverName } : {}),
    },
  });
}

/** The least of a fetch Response the client reads (Node's and undici's both have it). */
interface HttpAnswer {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
  /** The body as a stream (server-streaming calls such as the snapshot). */
  body: ReadableStream<Uint8Array> | null;
}

/** An error and its causes, outermost first. Duck-typed: errors from undici may come from another realm (jest's VM). */
function errorChain(err: unknown): { message: string; code?: string }[] {
  const chain: { message: string; code?: string }[] = [];
  for (let e: unknown = err; e !== undefined && e !== null && chain.length < 4;) {
    if (typeof e !== 'object') {
      chain.push({ message: typeof e === 'string' ? e : `a thrown ${typeof e}` });
      break;
    }
    const { message, code, cause } = e as { message?: unknown; code?: unknown; cause?: unknown };
    chain.push({
      message: typeof message === 'string' ? message : Object.prototype.toString.call(e),
      ...(typeof code === 'string' ? { code } : {}),
    });
    e = cause;
  }
  return chain;
}

/** An error with its causes (fetch's own message is only "fetch failed"). */
function describeError(err: unknown): string {
  return errorChain(err)
    .map((e) => (e.code ? `${e.message} (${e.code})` : e.message))
    .join(': ');
}

/** Node's and OpenSSL's codes for a failed TLS handshake or a refused certificate. */
function isTLSFailure(err: unknown): boolean {
  return errorChain(err).some(
    (e) => e.code !== undefined && /^ERR_SSL_|^ERR_TLS_|^UNABLE_TO_|CERT|SELF_SIGNED/.test(e.code),
  );
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
  private readonly agent: Agent | undefined;
  private readonly ownsAgent: boolean;
  private readonly defragmentTimeoutMs: number;

  constructor(
    readonly endpoint: string,
    opts: GatewayClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.defragmentTimeoutMs = opts.defragmentTimeoutMs ?? DEFRAGMENT_TIMEOUT_MS;
    this.agent = opts.agent ?? (opts.tls ? tlsAgent(opts.tls) : undefined);
    this.ownsAgent = opts.agent === undefined && this.agent !== undefined;
  }

  /** Closes the connections of an Agent this client made itself (a shared `agent` is left alone). */
  async close(): Promise<void> {
    if (this.ownsAgent) await this.agent?.close();
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
    const body = ((await res.json().catch(() => ({}))) ?? {}) as Json;
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

  /**
   * Every key under `prefix` with its value, in one range read (linearizable
   * unless `serializable`). Keys and values are read as UTF-8.
   */
  async range(
    prefix: string,
    opts: EtcdCallOptions & { serializable?: boolean; timeoutMs?: number } = {},
  ): Promise<Map<string, string>> {
    const end = Buffer.from(prefix, 'utf8');
    if (end.length === 0) throw new RangeError('range: the prefix must not be empty');
    end[end.length - 1]! += 1;
    const body = await this.call(
      'range',
      '/v3/kv/range',
      { key: base64(prefix), range_end: end.toString('base64'), serializable: opts.serializable ?? false },
      opts,
      opts.timeoutMs,
    );
    const text = (v: unknown) => Buffer.from(str(v), 'base64').toString('utf8');
    return new Map(
      ((body.kvs as unknown[] | undefined) ?? []).map((raw) => {
        const kv = (raw ?? {}) as Json;
        return [text(kv.key), text(kv.value)] as const;
      }),
    );
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

  private async call(
    operation: string,
    path: string,
    request: Json,
    opts: EtcdCallOptions,
    timeoutMs = this.timeoutMs,
  ): Promise<Json> {
    const res = await this.fetch(operation, path, request, opts, timeoutMs);
    const body = ((await res.json().catch(() => ({}))) ?? {}) as Json;
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
    timeoutMs: number | false = this.timeoutMs,
  ): Promise<HttpAnswer> {
    // `false`: no per-call timeout (a stream the caller's signal bounds).
    const signals = [
      ...(timeoutMs !== false ? [AbortSignal.timeout(timeoutMs)] : []),
      ...(opts.signal ? [opts.signal] : []),
    ];
    const init = {
      method: request === undefined ? 'GET' : 'POST',
      headers: request === undefined ? {} : { 'content-type': 'application/json' },
      body: request === undefined ? null : JSON.stringify(request),
      ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
    };
    const url = `${this.endpoint}${path}`;
    try {
      return this.agent === undefined
        ? await fetch(url, init)
        : await undiciFetch(url, { ...init, dispatcher: this.agent });
    } catch (err) {
      const name = (err as { name?: unknown } | null)?.name;
      const timedOut = opts.signal?.aborted === true || name === 'TimeoutError' || name === 'AbortError';
      throw new EtcdRequestError(
        timedOut ? 'Timeout' : isTLSFailure(err) ? 'TLSFailed' : 'Unreachable',
        this.endpoint,
        operation,
        describeError(err),
        { cause: err },
      );
    }
  }
}

/** Options of {@link gatewayClientFactory}. */
export interface GatewayClientFactoryOptions {
  /** Per-call timeout in ms of every client (default 5000). */
  timeoutMs?: number;
  /** Distinct TLS materials (clusters, rotations) whose Agents are kept open (default 32; the least recently used closes). */
  maxAgents?: number;
}

/** A {@link gatewayClientFactory}: an {@link EtcdClientFactory} whose shared Agents can be closed. */
export interface GatewayClientFactory extends EtcdClientFactory {
  /**
   * Closes every shared Agent (requests in flight finish first). A later call
   * opens a new Agent; controllers call this when their manager stops.
   */
  close(): Promise<void>;
}

/**
 * A {@link gatewayClientFactory} whose Agents are closed when `owner` stops:
 * a controller's default, passed its Manager.
 */
export function gatewayClientFactoryClosedWith(
  owner: { onStop(hook: () => Promise<void>): void },
  opts: GatewayClientFactoryOptions = {},
): GatewayClientFactory {
  const factory = gatewayClientFactory(opts);
  owner.onStop(() => factory.close());
  return factory;
}

/**
 * The controller's factory: a {@link GatewayEtcdClient} per call, sharing one
 * undici Agent (and its TLS connections) per distinct TLS material. A rotated
 * client certificate is new material, so it gets a new Agent and new
 * connections; the old Agent closes once it falls out of the cache, and all
 * of them on {@link GatewayClientFactory.close}.
 */
export function gatewayClientFactory(opts: GatewayClientFactoryOptions = {}): GatewayClientFactory {
  const agents = new Map<string, Agent>();
  const max = opts.maxAgents ?? 32;
  const base = opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {};
  const factory = (endpoint: string, tls?: EtcdTLSMaterial): GatewayEtcdClient => {
    if (tls === undefined) return new GatewayEtcdClient(endpoint, base);
    const key = createHash('sha256')
      .update(JSON.stringify([tls.ca, tls.cert ?? '', tls.key ?? '', tls.serverName ?? '']))
      .digest('hex');
    let agent = agents.get(key);
    if (agent !== undefined) agents.delete(key);
    agent ??= tlsAgent(tls);
    agents.set(key, agent);
    for (const [oldKey, old] of agents) {
      if (agents.size <= max) break;
      agents.delete(oldKey);
      // close() lets requests in flight finish first.
      void old.close().catch(() => undefined);
    }
    return new GatewayEtcdClient(endpoint, { ...base, tls, agent });
  };
  return Object.assign(factory, {
    async close(): Promise<void> {
      const open = [...agents.values()];
      agents.clear();
      await Promise.all(open.map((a) => a.close().catch(() => undefined)));
    },
  });
}
