// An operator started before its CRD is installed stops at once with an error
// that names the kind and what to do, instead of waiting for a cache that
// can never sync.
import { Client, Manager, NotFoundError, Outcome } from '@switchboard/core';
import { createTestNamespace, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

let ns: TestNamespace;
beforeAll(async () => {
  ns = await createTestNamespace(testKubeConfig(), 'core-missing-kind');
});
afterAll(async () => {
  await ns?.delete();
});

it('fails start, naming the kind the API server does not serve and asking whether its CRD is installed', async () => {
  const manager = new Manager({
    client: Client.fromKubeConfig(testKubeConfig()),
    namespace: ns.name,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    processMetrics: false,
  });
  manager
    .controller()
    .named('nothing')
    .for({ apiVersion: 'nothing.switchboard.test/v1', kind: 'Nothing' })
    .build(() => Outcome.done());
  const stop = new AbortController();
  const started = Date.now();
  const running = manager.start(stop.signal);
  await expect(running).rejects.toThrow(NotFoundError);
  await expect(running).rejects.toThrow(
    'the server does not serve kind Nothing in nothing.switchboard.test/v1: is its CRD installed? (kubectl apply -f config/crd/)',
  );
  expect(Date.now() - started).toBeLessThan(30_000);
  stop.abort();
});
