/**
 * The manager's HTTP endpoints: /metrics (Prometheus text format from the
 * manager's own registry), /healthz and /readyz (named, pluggable checks).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A health or readiness check: resolve to pass, throw (or reject) to fail. */
export type HealthCheck = () => Promise<void> | void;

/** Parses `":8080"`, `"127.0.0.1:0"` or `"[::1]:9090"`; `"0"` means disabled. */
export function parseBindAddress(address: string): { host: string | undefined; port: number } | undefined {
  if (address === '0' || address === '') return undefined;
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(
      `bind address ${JSON.stringify(address)} is not host:port (e.g. ":8080" or "127.0.0.1:0"); use "0" to disable`,
    );
  }
  return { host: host === '' ? undefined : host, port };
}

async function runChecks(
  checks: ReadonlyMap<string, HealthCheck>,
  res: ServerResponse,
  verbose: boolean,
): Promise<void> {
  const lines: string[] = [];
  let ok = true;
  for (const [name, check] of checks) {
    try {
      await check();
      lines.push(`[+]${name} ok`);
    } catch (err) {
      ok = false;
      lines.push(`[-]${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  res.writeHead(ok ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(verbose || !ok ? `${lines.join('\n')}\n${ok ? 'ok' : 'failed'}\n` : 'ok');
}

/** What an endpoint server serves. */
export interface EndpointRoutes {
  registry?: Registry;
  healthChecks?: ReadonlyMap<string, HealthCheck>;
  readyChecks?: ReadonlyMap<string, HealthCheck>;
}

/** An HTTP server for some of /metrics, /healthz, /readyz. */
export class EndpointServer {
  private readonly server: Server;

  constructor(private readonly routes: EndpointRoutes) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free one). */
  listen(bind: { host: string | undefined; port: number }): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(bind.port, bind.host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting connections and closes idle ones. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const verbose = url.searchParams.has('verbose');
    try {
      if (url.pathname === '/metrics' && this.routes.registry) {
        const body = await this.routes.registry.metrics();
        res.writeHead(200, { 'content-type': this.routes.registry.contentType });
        res.end(body);
      } else if (url.pathname.startsWith('/healthz') && this.routes.healthChecks) {
        await runChecks(this.routes.healthChecks, res, verbose);
      } else if (url.pathname.startsWith('/readyz') && this.routes.readyChecks) {
        await runChecks(this.routes.readyChecks, res, verbose);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
      }
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
}
