import type { KubeObject } from '../client/index.js';
import type { ObjectEvent } from './predicates.js';
import {
  and,
  annotationsChanged,
  generationChanged,
  inNamespaces,
  labelSelector,
  labelsChanged,
  not,
  or,
  resourceVersionChanged,
} from './predicates.js';

const obj = (meta: KubeObject['metadata']): KubeObject => ({
  metadata: { name: 'a', namespace: 'ns', ...meta },
});
const update = (old: KubeObject['metadata'], now: KubeObject['metadata']): ObjectEvent<KubeObject> => ({
  type: 'update',
  old: obj(old),
  object: obj(now),
});

describe('predicates', () => {
  it('generationChanged passes creates, deletes and spec changes only', () => {
    expect(generationChanged({ type: 'create', object: obj({ generation: 1 }) })).toBe(true);
    expect(generationChanged({ type: 'delete', object: obj({ generation: 1 }) })).toBe(true);
    expect(
      generationChanged(
        update({ generation: 1, resourceVersion: '1' }, { generation: 1, resourceVersion: '2' }),
      ),
    ).toBe(false);
    expect(generationChanged(update({ generation: 1 }, { generation: 2 }))).toBe(true);
    expect(generationChanged(update({}, {}))).toBe(true); // kinds without generation
  });

  it('resourceVersion, labels and annotations predicates look at their own field', () => {
    expect(resourceVersionChanged(update({ resourceVersion: '1' }, { resourceVersion: '1' }))).toBe(false);
    expect(resourceVersionChanged(update({ resourceVersion: '1' }, { resourceVersion: '2' }))).toBe(true);
    expect(labelsChanged(update({ labels: { a: '1' } }, { labels: { a: '1' } }))).toBe(false);
    expect(labelsChanged(update({ labels: { a: '1' } }, { labels: { a: '2' } }))).toBe(true);
    expect(labelsChanged(update({}, { labels: { a: '1' } }))).toBe(true);
    expect(annotationsChanged(update({ annotations: { x: 'y' } }, {}))).toBe(true);
  });

  it('scope by label selector and namespace, and combine with and / or / not', () => {
    const web = { type: 'create', object: obj({ labels: { app: 'web' } }) } as const;
    const db = { type: 'create', object: obj({ namespace: 'other', labels: { app: 'db' } }) } as const;
    expect(labelSelector('app=web')(web)).toBe(true);
    expect(labelSelector('app=web')(db)).toBe(false);
    expect(inNamespaces('ns')(web)).toBe(true);
    expect(and(labelSelector('app=web'), inNamespaces('ns'))(db)).toBe(false);
    expect(or(labelSelector('app=web'), inNamespaces('other'))(db)).toBe(true);
    expect(not(inNamespaces('ns'))(db)).toBe(true);
  });
});
