import type { KubeObject } from '../client/index.js';
import { relistDiff } from './relist-diff.js';

const obj = (name: string, rv: string): KubeObject => ({ metadata: { name, resourceVersion: rv } });

describe('relistDiff', () => {
  it('emits adds, updates and deletes, and nothing for unchanged objects', () => {
    const known = new Map([
      ['same', obj('same', '1')],
      ['changed', obj('changed', '2')],
      ['gone', obj('gone', '3')],
    ]);
    const fresh = new Map([
      ['same', obj('same', '1')],
      ['changed', obj('changed', '9')],
      ['new', obj('new', '10')],
    ]);
    const events = [...relistDiff(known, fresh)].map(
      (e) => `${e.type} ${'object' in e ? e.object.metadata.name : ''}`,
    );
    expect(events).toEqual(['MODIFIED changed', 'ADDED new', 'DELETED gone']);
  });

  it('gives deletes the last known state and updates their old state', () => {
    const known = new Map([
      ['x', obj('x', '1')],
      ['y', obj('y', '1')],
    ]);
    const fresh = new Map([['x', obj('x', '2')]]);
    const [update, del] = [...relistDiff(known, fresh)];
    expect(update).toMatchObject({ type: 'MODIFIED', old: { metadata: { resourceVersion: '1' } } });
    expect(del).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'y', resourceVersion: '1' } } });
  });

  it('reports an object re-created under the same name as a delete and an add', () => {
    const old = { metadata: { name: 'x', uid: 'u1', resourceVersion: '1' } };
    const recreated = { metadata: { name: 'x', uid: 'u2', resourceVersion: '5' } };
    const events = [...relistDiff(new Map([['x', old]]), new Map([['x', recreated]]))];
    expect(events).toEqual([
      { type: 'DELETED', object: old },
      { type: 'ADDED', object: recreated },
    ]);
  });
});
