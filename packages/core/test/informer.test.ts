// Informers against the real API server: heavy concurrent churn, an owner-UID
// index, metadata-only caching, and a watch whose connection dies silently.
// Every test ends by comparing the cache with a fresh list from the server.
import { createTestNamespace, eventually, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';
import { byOwnerUid, Client, InformerFactory, keyString, objectKey } from '@switchboard/core';
import type { Informer, KubeObject, WatchRestartReason } from '@switchboard/core';
import { startBlackholeProxy } from './support/blackhole-proxy.js';
import { expectCacheMatchesServer, runPool } from './support/cache-checks.js';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}
const CM = { apiVersion: 'v1', kind: 'ConfigMap' };

let client: Client;
let ns: TestNamespace;
let factory: InformerFactory | undefined;

beforeAll(async () => {
  const kc = testKubeConfig();
  client = Client.fromKubeConfig(kc, { fieldManager: 'core-informer-test' });
  ns = await createTestNamespace(kc, 'core-informer');
});
afterEach(() => factory?.stop());
afterAll(async () => {
  await ns.delete();
  client.close();
});

function startInformer(
  c: Client,
  opts: ConstructorParameters<typeof InformerFactory>[1] = {},
): Informer<ConfigMap> {
  factory = new InformerFactory(c, { namespace: ns.name, ...opts });
  const informer = factory.informerFor<ConfigMap>(CM);
  factory.start();
  return informer;
}

describe('Informer on the real API server', () => {
  it('observes every change of 2,000 objects created, updated and deleted concurrently, in resourceVersion order per object', async () => {
    const informer = startInformer(client);
    const seen = new Map<string, string[]>();
    const record = (obj: KubeObject, what: string): void => {
      const key = keyString(objectKey(obj));
      seen.set(key, [...(seen.get(key) ?? []), `${what}@${obj.metadata.resourceVersion}`]);
    };
    informer.addHandler({
      onAdd: (o) => record(o, 'add'),
      onUpdate: (_, o) => record(o, 'update'),
      onDelete: (o) => record(o, 'delete'),
    });
    await informer.synced;

    const cms = client.resource<ConfigMap>(CM);
    const expected = new Map<string, string[]>();
    await runPool(2000, 24, async (i) => {
      const key = { namespace: ns.name, name: `churn-${i}` };
      const created = await cms.create({ metadata: { ...key }, data: { v: '0' } });
      const updated = await cms.update({ ...created, data: { v: '1' } });
      const steps = [`add@${created.metadata.resourceVersion}`, `update@${updated.metadata.resourceVersion}`];
      if (i % 2 === 0) {
        await cms.delete(key);
        steps.push('delete');
      }
      expected.set(keyString(key), steps);
    });

    const churned = (): number => informer.store.keys().filter((k) => k.includes('/churn-')).length;
    await eventually(() => expect(churned()).toBe(1000), { timeout: 60_000 });
    await eventually(() => expectCacheMatchesServer(informer, client, CM, ns.name), { timeout: 30_000 });
    for (const [key, steps] of expected) {
      // A delete's resourceVersion is only known from the event; compare its kind alone.
      expect([key, (seen.get(key) ?? []).map((s) => (s.startsWith('delete') ? 'delete' : s))]).toEqual([
        key,
        steps,
      ]);
    }
  }, 300_000);

  it('answers an owner-UID index query with the right children as they come and go', async () => {
    const cms = client.resource<ConfigMap>(CM);
    const parent = await cms.create({ metadata: { name: 'parent', namespace: ns.name } });
    const owner = { apiVersion: 'v1', kind: 'ConfigMap', name: 'parent', uid: parent.metadata.uid! };
    const child = (name: string): ConfigMap => ({
      metadata: { name, namespace: ns.name, ownerReferences: [owner] },
    });
    await cms.create(child('child-1'));
    await cms.create(child('child-2'));
    await cms.create({ metadata: { name: 'orphan', namespace: ns.name } });

    const informer = startInformer(client, {});
    informer.addIndexer('owner', byOwnerUid);
    await informer.synced;
    const children = (): string[] =>
      informer.store
        .byIndex('owner', parent.metadata.uid!)
        .map((c) => c.metadata.name!)
        .sort();
    expect(children()).toEqual(['child-1', 'child-2']);

    await cms.delete({ namespace: ns.name, name: 'child-1' });
    await cms.create(child('child-3'));
    await cms.patch(
      { namespace: ns.name, name: 'orphan' },
      { type: 'merge', body: { metadata: { ownerReferences: [owner] } } },
    );
    await eventually(() => expect(children()).toEqual(['child-2', 'child-3', 'orphan']), { timeout: 30_000 });
    await expectCacheMatchesServer(informer, client, CM, ns.name);
  });

  it('caches metadata only when asked, without the data', async () => {
    const cms = client.resource<ConfigMap>(CM);
    await cms.create({
      metadata: { name: 'big', namespace: ns.name },
      data: { payload: 'x'.repeat(10_000) },
    });
    factory = new InformerFactory(client, { namespace: ns.name });
    const informer = factory.informerFor<ConfigMap>(CM, { metadataOnly: true });
    factory.start();
    await informer.synced;
    const big = informer.store.get({ namespace: ns.name, name: 'big' });
    expect(big?.kind).toBe('PartialObjectMetadata');
    expect(big?.metadata.uid).toBeDefined();
    expect(big?.data).toBeUndefined();
  });

  it('detects a watch whose connection silently stops forwarding, and heals within the stall bound', async () => {
    const proxy = await startBlackholeProxy(testKubeConfig());
    const proxied = Client.fromKubeConfig(proxy.kubeConfig);
    const restarts: WatchRestartReason[] = [];
    const stallTimeoutMs = 3000;
    try {
      const informer = startInformer(proxied, { stallTimeoutMs, onRestart: (r) => restarts.push(r) });
      await informer.synced;
      proxy.blackhole();
      const cut = Date.now();
      await client.resource<ConfigMap>(CM).create({ metadata: { name: 'during-cut', namespace: ns.name } });
      proxy.restore(); // new connections work again; the open watch stays dead and silent
      await eventually(
        () => expect(informer.store.get({ namespace: ns.name, name: 'during-cut' })).toBeDefined(),
        {
          timeout: stallTimeoutMs + 15_000,
        },
      );
      const healedMs = Date.now() - cut;
      expect(restarts).toContain('stalled');
      process.stderr.write(`stall healed ${healedMs} ms after the cut (bound ${stallTimeoutMs} ms)\n`);
      await expectCacheMatchesServer(informer, client, CM, ns.name);
    } finally {
      factory?.stop();
      proxied.close();
      await proxy.close();
    }
  });
});
