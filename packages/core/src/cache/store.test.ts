import type { KubeObject } from '../client/index.js';
import { byLabel, byOwnerUid, Store } from './store.js';

function pod(
  name: string,
  opts: { ns?: string; owner?: string; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    metadata: {
      name,
      namespace: opts.ns ?? 'a',
      labels: opts.labels ?? {},
      ownerReferences: opts.owner
        ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: opts.owner }]
        : [],
    },
  };
}

describe('Store', () => {
  it('indexes by namespace, owner UID and label, and keeps indexes right across updates and removals', () => {
    const store = new Store<KubeObject>({ indexers: { owner: byOwnerUid, app: byLabel('app') } });
    store.upsert(pod('p1', { owner: 'u1', labels: { app: 'web' } }));
    store.upsert(pod('p2', { owner: 'u1', ns: 'b' }));
    store.upsert(pod('p3', { owner: 'u2', labels: { app: 'db' } }));
    expect(
      store
        .byIndex('owner', 'u1')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['p1', 'p2']);
    expect(store.byIndex('namespace', 'b').map((p) => p.metadata.name)).toEqual(['p2']);
    expect(store.byIndex('app', 'web').map((p) => p.metadata.name)).toEqual(['p1']);

    store.upsert(pod('p1', { owner: 'u2' }));
    expect(store.byIndex('owner', 'u1').map((p) => p.metadata.name)).toEqual(['p2']);
    expect(store.byIndex('app', 'web')).toEqual([]);
    store.remove({ namespace: 'b', name: 'p2' });
    expect(store.byIndex('owner', 'u1')).toEqual([]);
    expect(store.size).toBe(2);
  });

  it('indexes existing objects when an index is added later', () => {
    const store = new Store<KubeObject>();
    store.upsert(pod('p1', { owner: 'u1' }));
    store.addIndexer('owner', byOwnerUid);
    expect(store.byIndex('owner', 'u1')).toHaveLength(1);
  });

  it('lists by namespace and label selector', () => {
    const store = new Store<KubeObject>();
    store.upsert(pod('p1', { labels: { app: 'web', tier: 'fe' } }));
    store.upsert(pod('p2', { labels: { app: 'web' }, ns: 'b' }));
    store.upsert(pod('p3', { labels: { app: 'db' } }));
    expect(store.list({ namespace: 'a', labelSelector: 'app=web' }).map((p) => p.metadata.name)).toEqual([
      'p1',
    ]);
    expect(
      store
        .list({ labelSelector: 'app in (web, db),!tier' })
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['p2', 'p3']);
    expect(store.get('b/p2')?.metadata.name).toBe('p2');
  });

  it('returns frozen objects, so a reader cannot corrupt the cache', () => {
    const store = new Store<KubeObject>();
    store.upsert(pod('p1', { labels: { app: 'web' } }));
    const got = store.get({ namespace: 'a', name: 'p1' })!;
    expect(() => {
      got.metadata.labels!.app = 'evil';
    }).toThrow(TypeError);
    expect(store.get('a/p1')?.metadata.labels?.app).toBe('web');
  });
});
