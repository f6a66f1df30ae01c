// The "raw client": HTTPS straight to the API server with the kubeconfig's
// credentials and nothing else (no typed models, no cache, no retries). It is
// the physical limit in the tables, and the bench's own driver for seeding
// objects and writing churn, so the driver costs the subjects as little CPU as
// possible.
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

/** A response read whole, as text (parse only what you need). */
export interface RawResponse {
  status: number;
  text: string;
}

/** Minimal keep-alive HTTPS client for one kubeconfig. */
export class RawClient {
  private constructor(
    private readonly base: URL,
    private readonly tls: https.RequestOptions,
    private readonly agent: https.Agent,
  ) {}

  /** A client for the current context of the kubeconfig at `path`, with at most `maxSockets` connections. */
  static async fromKubeconfig(path: string, maxSockets = 64): Promise<RawClient> {
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error(`${path} has no current cluster`);
    const tls: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(tls);
    const agent = new https.Agent({ keepAlive: true, maxSockets, ca: tls.ca, cert: tls.cert, key: tls.key });
    return new RawClient(new URL(cluster.server), tls, agent);
  }

  /** Sends one request; resolves with the status and body text, whatever the status. */
  request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<RawResponse> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        this.url(path),
        {
          ...this.tls,
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload !== undefined
              ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like {@link request}, but throws on a status outside 2xx (with the body in the message). */
  async expectOk(method: string, path: string, body?: unknown, contentType?: string): Promise<RawResponse> {
    const res = await this.request(method, path, body, contentType);
    if (res.status < 200 || res.status > 299)
      throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.text.slice(0, 300)}`);
    return res;
  }

  /** GETs `path` and only counts the bytes: what the API server can send, with nothing done to it. */
  drain(path: string): Promise<{ status: number; bytes: number }> {
    return new Promise((resolve, reject) => {
      const req = https.request(this.url(path), { ...this.tls, method: 'GET', agent: this.agent }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Opens a stream (a watch) and calls `onLine` per line until `signal` aborts. */
  stream(path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        this.url(path),
        // A watch holds its connection: never take it from (or give it back to) the pool.
        { ...this.tls, method: 'GET', agent: false, signal },
        (res) => {
          let rest = '';
          res.on('data', (c: Buffer) => {
            const text = rest + c.toString('utf8');
            let start = 0;
            for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
              onLine(text.slice(start, nl));
              start = nl + 1;
            }
            rest = text.slice(start);
          });
          res.on('end', () => resolve());
          res.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
        },
      );
      req.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
      req.end();
    });
  }

  /** Closes pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  private url(path: string): URL {
    return new URL(path, this.base);
  }
}
