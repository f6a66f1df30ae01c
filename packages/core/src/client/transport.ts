// The HTTP layer under the resource client and the watch. Auth and TLS come
// from @kubernetes/client-node's KubeConfig (so every kubeconfig auth method
// works: certs, tokens, exec plugins, OIDC, in-cluster); the requests
// themselves are ours, so we control streaming, timeouts and cancellation.

import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** HTTP methods the client uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request to the API server, relative to the cluster's server URL. */
export interface HttpRequest {
  method: HttpMethod;
  /** Absolute API path, e.g. `/api/v1/namespaces/default/configmaps`. */
  path: string;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON-serialisable body. */
  body?: unknown;
  /** Content-Type of the body. Default `application/json`. */
  contentType?: string;
  /** Accept header. Default `application/json`. */
  accept?: string;
  /** Cancels the request (and, for streams, the open connection). */
  signal?: AbortSignal;
}

/** A complete response; `body` is parsed JSON, or the text when it is not JSON. */
export interface HttpResponse {
  status: number;
  body: unknown;
  /** A response header by lower-case name. */
  header(name: string): string | undefined;
}

/**
 * A streamed response. When `status` is 200, `lines` yields the body one line
 * at a time (the watch protocol is one JSON event a line); otherwise `body`
 * holds the parsed error body and `lines` is empty.
 */
export interface HttpStreamResponse extends HttpResponse {
  lines: AsyncIterable<string>;
  /** Closes the connection; safe to call more than once. */
  close(): void;
}

/** What the resource client and the watch need from HTTP; fakes implement it in unit tests. */
export interface Transport {
  /** Sends a request and reads the whole response. Rejects only when no HTTP answer came. */
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Sends a request and streams the response body by lines. */
  stream(req: HttpRequest): Promise<HttpStreamResponse>;
}

/** Builds the `?a=b` query string, leaving out undefined values. */
export function queryString(query: HttpRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Splits a byte stream into lines without buffering more than one partial line. */
async function* splitLines(res: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of res) {
    const text = rest + chunk.toString('utf8');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (line.trim() !== '') yield line;
    }
    rest = text.slice(start);
  }
  if (rest.trim() !== '') yield rest;
}

/**
 * The transport for a KubeConfig's current context. Connections are kept
 * alive and pooled; auth headers are re-applied per request so rotating
 * tokens (exec plugins, projected service-account tokens) keep working.
 */
export class KubeConfigTransport implements Transport {
  private readonly server: URL;
  private readonly keepAliveAgent: http.Agent;
  /**
   * Streams (watches) get a connection of their own each: a watch that died
   * silently must not hand its dead socket to the next request, and a stream
   * holds its connection for minutes anyway.
   */
  private readonly streamAgent: http.Agent;

  constructor(
    private readonly kc: KubeConfig,
    opts: { maxSockets?: number } = {},
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
    const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 64 };
    this.keepAliveAgent =
      this.server.protocol === 'http:' ? new http.Agent(agentOpts) : new https.Agent(agentOpts);
    this.streamAgent = this.server.protocol === 'http:' ? new http.Agent() : new https.Agent();
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return this.send(req, this.keepAliveAgent).then(async (res) => {
      const text = await readAll(res);
      return { status: res.statusCode ?? 0, body: parseBody(text), header: (n) => headerOf(res, n) };
    });
  }

  async stream(req: HttpRequest): Promise<HttpStreamResponse> {
    const res = await this.send(req, this.streamAgent);
    const status = res.statusCode ?? 0;
    const close = (): void => {
      res.destroy();
    };
    if (status !== 200) {
      const body = parseBody(await readAll(res));
      return { status, body, header: (n) => headerOf(res, n), lines: splitLines(emptyStream()), close };
    }
    return { status, body: undefined, header: (n) => headerOf(res, n), lines: splitLines(res), close };
  }

  /** Closes pooled connections. */
  destroy(): void {
    this.keepAliveAgent.destroy();
    this.streamAgent.destroy();
  }

  private async send(req: HttpRequest, ownAgent: http.Agent): Promise<http.IncomingMessage> {
    req.signal?.throwIfAborted();
    const opts: https.RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    // Keep client-node's agent only when it is a proxy agent; its plain agent
    // does not keep connections alive (a TLS handshake per request).
    const cluster = this.kc.getCurrentCluster();
    const agent = cluster?.proxyUrl ? opts.agent : ownAgent;
    const payload =
      req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const headers: http.OutgoingHttpHeaders = {
      ...(opts.headers as http.OutgoingHttpHeaders),
      accept: req.accept ?? 'application/json',
    };
    if (payload !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const basePath = this.server.pathname.replace(/\/$/, '');
    const mod = this.server.protocol === 'http:' ? http : https;
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const r = mod.request(
        {
          ...opts,
          agent,
          protocol: this.server.protocol,
          hostname: this.server.hostname,
          port: this.server.port,
          method: req.method,
          path: basePath + req.path + queryString(req.query),
          headers,
          signal: req.signal,
        },
        resolve,
      );
      r.on('error', reject);
      r.end(payload);
    });
  }
}

function headerOf(res: http.IncomingMessage, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

async function* emptyStream(): AsyncGenerator<Buffer> {}
