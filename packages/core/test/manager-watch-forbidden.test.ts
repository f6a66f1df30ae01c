// An operator whose RBAC lacks list or watch on a kind it caches says so in
// its log, naming the kind and the grant, while the cache keeps retrying;
// before, the only sign was the cache-sync timeout minutes later.
import { join } from 'node:path';

import { Client, createLogger, Manager, Outcome } from '@switchboard/core';
import { createTestNamespace, eventually, runAsServiceAccount, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

let ns: TestNamespace;
beforeAll(async () => {
  ns = await createTestNamespace(testKubeConfig(), 'core-watch-forbidden');
});
afterAll(async () => {
  await ns?.delete();
});

it('logs a refused list as an error naming the kind, the namespace and the missing grant', async () => {
  const { kubeConfig } = await runAsServiceAccount(testKubeConfig(), {
    rbacDir: join(import.meta.dirname, 'fixtures', 'rbac-events-only'),
    namespace: ns.name,
  });
  type Line = { level: string; msg: string; kind?: string; namespace?: string };
  const lines: Line[] = [];
  const manager = new Manager({
    client: Client.fromKubeConfig(kubeConfig),
    namespace: ns.name,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    processMetrics: false,
    logger: createLogger({
      format: 'json',
      sink: { write: (l: string) => lines.push(JSON.parse(l) as Line) },
    }),
  });
  manager
    .controller()
    .named('configmaps')
    .for({ apiVersion: 'v1', kind: 'ConfigMap' })
    .build(() => Outcome.done());
  const stop = new AbortController();
  const running = manager.start(stop.signal).catch(() => undefined);
  try {
    await eventually(
      () => {
        expect(lines).toContainEqual(
          expect.objectContaining({
            level: 'error',
            kind: 'ConfigMap',
            namespace: ns.name,
            msg: `not allowed to list and watch ConfigMap in namespace ${ns.name}: grant the operator's ServiceAccount list and watch on configmaps (its RBAC rules); the cache waits until it can`,
          }),
        );
      },
      { timeout: 30_000, message: 'the Manager logs the refused list' },
    );
  } finally {
    stop.abort();
    await running;
  }
});
