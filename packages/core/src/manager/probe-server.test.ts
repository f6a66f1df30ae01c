import { Registry } from 'prom-client';
import { EndpointServer, parseBindAddress } from './probe-server.js';
import type { HealthCheck } from './probe-server.js';

describe('EndpointServer', () => {
  it('serves /metrics from its registry and named health and ready checks', async () => {
    const registry = new Registry();
    let ready = false;
    const readyChecks = new Map<string, HealthCheck>([
      [
        'caches',
        () => {
          if (!ready) throw new Error('not synced');
        },
      ],
    ]);
    const server = new EndpointServer({ registry, healthChecks: new Map([['ping', () => {}]]), readyChecks });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(500);
      expect(await notReady.text()).toContain('[-]caches failed: not synced');
      ready = true;
      expect(await (await fetch(`${base}/readyz`)).text()).toBe('ok');
      expect((await fetch(`${base}/metrics`)).headers.get('content-type')).toContain('text/plain');
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('parses bind addresses, with "0" meaning disabled', () => {
    expect(parseBindAddress(':8080')).toEqual({ host: undefined, port: 8080 });
    expect(parseBindAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseBindAddress('[::1]:9090')).toEqual({ host: '::1', port: 9090 });
    expect(parseBindAddress('0')).toBeUndefined();
    expect(() => parseBindAddress('8080')).toThrow(/host:port/);
  });
});
