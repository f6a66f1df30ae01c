import { readFileSync } from 'node:fs';
import { request } from 'node:https';

import type { CertificatePair } from './pki.js';

/** GETs an HTTPS health endpoint; resolves with the status code and body, never rejects. */
export function probe(
  url: string,
  tls: { readonly caFile?: string; readonly client?: CertificatePair },
  timeoutMs = 2_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'GET',
        timeout: timeoutMs,
        ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
        rejectUnauthorized: tls.caFile !== undefined,
        cert: tls.client ? readFileSync(tls.client.certFile) : undefined,
        key: tls.client ? readFileSync(tls.client.keyFile) : undefined,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}

/** Polls `check` until it returns true, or throws `onTimeout()` after `timeoutMs`. */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  onTimeout: () => Error,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    if (await check()) return;
    if (Date.now() > deadline) throw onTimeout();
    await new Promise((r) => setTimeout(r, 100));
  }
}
