import { Client } from '../client/index.js';
import type { KubeObject } from '../client/index.js';
import { FakeApiServer } from '../../test/fakes/fake-api-server.js';
import { NotFoundError } from '../client/index.js';
import { CacheReader } from './cache-reader.js';
import { InformerFactory } from './informer-factory.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' };

function fakeClient(server: FakeApiServer): Client {
  const client = new Client(server);
  client.discovery.register({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    name: 'configmaps',
    namespaced: true,
    verbs: [],
    subresources: [],
  });
  return client;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('Informer', () => {
  it('tells handlers about adds, updates with the old state, and deletes with the last state', async () => {
    const server = new FakeApiServer();
    server.put('a', { v: '1' });
    const factory = new InformerFactory(fakeClient(server));
    const informer = factory.informerFor(CM);
    const seen: string[] = [];
    informer.addHandler({
      onAdd: (o, initial) => seen.push(`add ${o.metadata.name} ${initial}`),
      onUpdate: (old, o) =>
        seen.push(`update ${o.metadata.name} ${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    factory.start();
    await informer.synced;
    expect(informer.hasSynced()).toBe(true);
    server.put('a', { v: '2' });
    server.put('b');
    server.remove('a');
    await until(() => seen.length === 4);
    expect(seen).toEqual(['add a true', 'update a 101->102', 'add b false', 'delete a']);
    expect(informer.store.keys()).toEqual(['default/b']);
    factory.stop();
  });

  it('shares one informer per kind and selection, and replays the cache to late handlers', async () => {
    const server = new FakeApiServer();
    server.put('a');
    const factory = new InformerFactory(fakeClient(server));
    const one = factory.informerFor(CM);
    expect(factory.informerFor(CM)).toBe(one);
    expect(factory.informerFor(CM, { namespace: 'other' })).not.toBe(one);
    factory.start();
    await factory.waitForSync();
    const late: string[] = [];
    collectAdds(one, late);
    expect(late).toEqual(['a']);
    factory.stop();
  });

  it('drops managedFields by default', async () => {
    const server = new FakeApiServer();
    const obj = server.put('a');
    obj.metadata.managedFields = [{ manager: 'kubectl' }];
    const factory = new InformerFactory(fakeClient(server));
    const informer = factory.informerFor(CM);
    factory.start();
    await informer.synced;
    expect(informer.store.get('default/a')?.metadata.managedFields).toBeUndefined();
    factory.stop();
  });

  it('serves reads from the cache and answers NotFoundError for what is not there', async () => {
    const server = new FakeApiServer();
    server.put('a', { k: 'v' });
    const factory = new InformerFactory(fakeClient(server));
    const reader = new CacheReader(factory);
    const got = await reader.get<KubeObject & { data: Record<string, string> }>(CM, {
      namespace: 'default',
      name: 'a',
    });
    expect(got.data).toEqual({ k: 'v' });
    await expect(reader.get(CM, { namespace: 'default', name: 'nope' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await reader.list(CM, { namespace: 'default' })).toHaveLength(1);
    factory.stop();
  });
});

function collectAdds(
  informer: { addHandler(h: { onAdd?(o: KubeObject): void }): () => void },
  into: string[],
): void {
  informer.addHandler({ onAdd: (o) => into.push(o.metadata.name!) });
}

describe('Informer resync', () => {
  it('calls onUpdate(obj, obj) for every cached object each resync period', async () => {
    const server = new FakeApiServer();
    server.put('a');
    const factory = new InformerFactory(fakeClient(server), { resyncPeriodMs: 20 });
    const informer = factory.informerFor(CM);
    const resynced: string[] = [];
    informer.addHandler({ onUpdate: (old, o) => old === o && resynced.push(o.metadata.name!) });
    factory.start();
    await informer.synced;
    await until(() => resynced.length >= 2);
    expect(new Set(resynced)).toEqual(new Set(['a']));
    factory.stop();
  });
});
