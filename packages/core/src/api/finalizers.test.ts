import type { KubeObject, ObjectKey, Patch, ResourceClient } from '../client/index.js';
import { addFinalizer, removeFinalizer, withFinalizer } from './finalizers.js';

/** A one-object resource client that applies the JSON patches the helpers send (test + add/remove). */
function fakeResource(initial: KubeObject) {
  let current = structuredClone(initial);
  const patches: Patch[] = [];
  const client = {
    patch(_key: ObjectKey, patch: Patch): Promise<KubeObject> {
      patches.push(patch);
      if (patch.type !== 'json') throw new Error('expected a JSON patch');
      const next = structuredClone(current);
      for (const op of patch.ops) {
        const parts = op.path.split('/').slice(2); // after /metadata
        const list = next.metadata.finalizers;
        if (op.op === 'test') {
          const actual = parts.length === 1 ? (list ?? null) : list?.[Number(parts[1])];
          if (JSON.stringify(actual) !== JSON.stringify(op.value))
            return Promise.reject(new Error('test failed'));
        } else if (op.op === 'add') {
          if (parts.length === 1) next.metadata.finalizers = op.value as string[];
          else list?.push(op.value as string);
        } else if (op.op === 'remove') {
          list?.splice(Number(parts[1]), 1);
        }
      }
      current = next;
      return Promise.resolve(structuredClone(current));
    },
  } as unknown as ResourceClient<KubeObject>;
  return { client, patches, current: () => current };
}

const NAME = 'example.com/cleanup';

describe('finalizers', () => {
  it('adds ours beside others and removes only ours, guarded by test ops', async () => {
    const r = fakeResource({ metadata: { name: 'a', finalizers: ['other.io/keep'] } });
    const added = await addFinalizer(r.client, r.current(), NAME);
    expect(added.metadata.finalizers).toEqual(['other.io/keep', NAME]);
    const removed = await removeFinalizer(r.client, added, NAME);
    expect(removed.metadata.finalizers).toEqual(['other.io/keep']);
    expect(r.patches[1]).toEqual({
      type: 'json',
      ops: [
        { op: 'test', path: '/metadata/finalizers/1', value: NAME },
        { op: 'remove', path: '/metadata/finalizers/1' },
      ],
    });
  });

  it('fails instead of removing another finalizer when the list changed underneath', async () => {
    const r = fakeResource({ metadata: { name: 'a', finalizers: ['x', NAME] } });
    const stale = { metadata: { name: 'a', finalizers: [NAME] } }; // index 0 is not ours on the server
    await expect(removeFinalizer(r.client, stale, NAME)).rejects.toThrow('test failed');
    expect(r.current().metadata.finalizers).toEqual(['x', NAME]);
  });

  it('persists the finalizer before apply, and keeps it when cleanup is interrupted', async () => {
    const r = fakeResource({ metadata: { name: 'a' } });
    const seenByApply: (string[] | undefined)[] = [];
    await withFinalizer(r.client, r.current(), NAME, {
      apply: (obj) => Promise.resolve(seenByApply.push(obj.metadata.finalizers)),
      cleanup: () => Promise.resolve(0),
    });
    expect(seenByApply).toEqual([[NAME]]);

    const deleting = {
      ...r.current(),
      metadata: { ...r.current().metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
    };
    await expect(
      withFinalizer(r.client, deleting, NAME, {
        apply: () => Promise.resolve(0),
        cleanup: () => Promise.reject(new Error('crash')),
      }),
    ).rejects.toThrow('crash');
    expect(r.current().metadata.finalizers).toEqual([NAME]); // still there: cleanup runs again next time
    let cleanups = 0;
    await withFinalizer(r.client, deleting, NAME, {
      apply: () => Promise.resolve(0),
      cleanup: () => Promise.resolve(++cleanups),
    });
    expect(cleanups).toBe(1);
    expect(r.current().metadata.finalizers).toEqual([]);
  });
});
