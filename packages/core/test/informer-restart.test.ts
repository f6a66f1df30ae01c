// The API server restarts under a running informer while objects keep
// changing. A control plane of this suite's own, so the restart disturbs no
// other suite. The informer must come back without a relist storm (at most
// one relist) and end with exactly the server's state, every object's
// changes seen in resourceVersion order.
import { createTestNamespace, eventually, startControlPlane } from '@switchboard/testing';
import type { ControlPlane, TestNamespace } from '@switchboard/testing';
import { KubeConfig } from '@kubernetes/client-node';
import { Client, InformerFactory, keyString, objectKey } from '@switchboard/core';
import type { KubeObject, WatchRestartReason } from '@switchboard/core';
import { expectCacheMatchesServer } from './support/cache-checks.js';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}
const CM = { apiVersion: 'v1', kind: 'ConfigMap' };

let cp: ControlPlane;
let client: Client;
let ns: TestNamespace;

beforeAll(async () => {
  cp = await startControlPlane();
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  client = Client.fromKubeConfig(kc, { requestTimeoutMs: 5000 });
  ns = await createTestNamespace(kc, 'core-restart');
}, 120_000);
afterAll(async () => {
  client?.close();
  await cp?.stop({ removeData: true });
});

describe('Informer across an API server restart', () => {
  it('recovers without a relist storm and misses nothing while objects keep changing', async () => {
    const cms = client.resource<ConfigMap>(CM);
    const names = Array.from({ length: 30 }, (_, i) => `cm-${i}`);
    for (const name of names) await cms.create({ metadata: { name, namespace: ns.name }, data: { n: '0' } });

    const restarts: WatchRestartReason[] = [];
    const factory = new InformerFactory(client, {
      namespace: ns.name,
      stallTimeoutMs: 10_000,
      onRestart: (r) => restarts.push(r),
    });
    const informer = factory.informerFor(CM);
    const seen = new Map<string, bigint[]>();
    const record = (o: KubeObject): void => {
      const key = keyString(objectKey(o));
      seen.set(key, [...(seen.get(key) ?? []), BigInt(o.metadata.resourceVersion!)]);
    };
    informer.addHandler({ onAdd: record, onUpdate: (_, o) => record(o), onDelete: record });
    factory.start();
    await informer.synced;

    let writing = true;
    let writes = 0;
    const writer = (async () => {
      for (let n = 1; writing; n++) {
        const name = names[n % names.length]!;
        try {
          await cms.patch({ namespace: ns.name, name }, { type: 'merge', body: { data: { n: String(n) } } });
          writes++;
        } catch {
          await new Promise((r) => setTimeout(r, 100)); // the API server is down; keep trying
        }
      }
    })();
    try {
      await eventually(() => expect(writes).toBeGreaterThan(50), { timeout: 30_000 });
      await cp.restartApiServer();
      const afterRestart = writes;
      await eventually(() => expect(writes).toBeGreaterThan(afterRestart + 100), { timeout: 60_000 });
    } finally {
      writing = false;
      await writer;
    }

    await eventually(() => expectCacheMatchesServer(informer, client, CM, ns.name), { timeout: 60_000 });
    for (const [key, rvs] of seen) {
      const sorted = [...rvs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect([key, rvs]).toEqual([key, sorted]);
    }
    expect(restarts.filter((r) => r === 'gone').length).toBeLessThanOrEqual(1);
    process.stderr.write(`restart: ${writes} writes, watch restarts: ${restarts.join(', ')}\n`);
    factory.stop();
  });
});
