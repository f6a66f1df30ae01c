// 410 Gone for real: a control plane of this suite's own, with the API
// server's watch cache off so watches are served by etcd itself, and etcd
// compacted (through its v3 API) while the informer's connection is cut.
// The informer must relist and deliver exactly the changes it missed.
import { createTestNamespace, eventually, startControlPlane } from '@switchboard/testing';
import type { ControlPlane, TestNamespace } from '@switchboard/testing';
import { KubeConfig } from '@kubernetes/client-node';
import { Client, InformerFactory } from '@switchboard/core';
import type { KubeObject, WatchRestartReason } from '@switchboard/core';
import { startBlackholeProxy } from './support/blackhole-proxy.js';
import type { BlackholeProxy } from './support/blackhole-proxy.js';
import { expectCacheMatchesServer } from './support/cache-checks.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' };

let cp: ControlPlane;
let client: Client;
let ns: TestNamespace;
let proxy: BlackholeProxy;

beforeAll(async () => {
  cp = await startControlPlane({ apiServerArgs: ['--watch-cache=false'] });
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  client = Client.fromKubeConfig(kc);
  ns = await createTestNamespace(kc, 'core-compaction');
  proxy = await startBlackholeProxy(kc);
}, 120_000);
afterAll(async () => {
  client?.close();
  await proxy?.close();
  await cp?.stop({ removeData: true });
});

/** Compacts etcd's history up to its current revision, through etcd's v3 JSON API. */
async function compactEtcd(endpoint: string): Promise<number> {
  const post = async (path: string, body: object): Promise<{ header?: { revision?: string } }> => {
    const res = await fetch(`${endpoint}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`etcd ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { header?: { revision?: string } };
  };
  const { header } = await post('/v3/kv/range', { key: Buffer.from('/').toString('base64') });
  const revision = Number(header?.revision);
  await post('/v3/kv/compaction', { revision, physical: true });
  return revision;
}

describe('Informer after etcd compaction', () => {
  it('relists on 410 Gone and delivers exactly the missed adds, updates and deletes', async () => {
    const cms = client.resource(CM);
    // The controller-manager adds this one to every namespace; let it land first so it is not a "missed" change.
    await eventually(() => cms.get({ namespace: ns.name, name: 'kube-root-ca.crt' }), { timeout: 60_000 });
    for (let i = 0; i < 15; i++) await cms.create({ metadata: { name: `cm-${i}`, namespace: ns.name } });
    const proxied = Client.fromKubeConfig(proxy.kubeConfig);
    const restarts: WatchRestartReason[] = [];
    const factory = new InformerFactory(proxied, {
      namespace: ns.name,
      stallTimeoutMs: 2000,
      onRestart: (r) => restarts.push(r),
    });
    const informer = factory.informerFor(CM);
    const missed: string[] = [];
    try {
      factory.start();
      await informer.synced;
      let cut = false;
      const note = (what: string) => (o: KubeObject) => {
        if (cut) missed.push(`${what} ${o.metadata.name}@${o.metadata.resourceVersion}`);
      };
      informer.addHandler({
        onAdd: note('add'),
        onUpdate: (_, o) => note('update')(o),
        onDelete: note('delete'),
      });

      proxy.blackhole();
      cut = true;
      const expected: string[] = [];
      for (let i = 0; i < 5; i++) {
        const o = await cms.patch(
          { namespace: ns.name, name: `cm-${i}` },
          { type: 'merge', body: { data: { v: '1' } } },
        );
        const again = await cms.patch(
          { namespace: ns.name, name: `cm-${i}` },
          { type: 'merge', body: { data: { v: '2' } } },
        );
        expect(again.metadata.resourceVersion).not.toBe(o.metadata.resourceVersion);
        expected.push(`update cm-${i}@${again.metadata.resourceVersion}`);
      }
      const before = new Map(informer.store.list().map((o) => [o.metadata.name, o.metadata.resourceVersion]));
      for (let i = 5; i < 10; i++) {
        await cms.delete({ namespace: ns.name, name: `cm-${i}` });
        expected.push(`delete cm-${i}@${before.get(`cm-${i}`)}`);
      }
      for (let i = 15; i < 18; i++) {
        const o = await cms.create({ metadata: { name: `cm-${i}`, namespace: ns.name } });
        expected.push(`add cm-${i}@${o.metadata.resourceVersion}`);
      }
      await compactEtcd(cp.etcdEndpoint);
      proxy.restore();

      await eventually(() => expect(restarts).toContain('gone'), { timeout: 60_000 });
      await eventually(() => expectCacheMatchesServer(informer, client, CM, ns.name), { timeout: 30_000 });
      expect([...missed].sort()).toEqual([...expected].sort());
      expect(restarts.filter((r) => r === 'gone')).toHaveLength(1);
    } finally {
      factory.stop();
      proxied.close();
    }
  });
});
