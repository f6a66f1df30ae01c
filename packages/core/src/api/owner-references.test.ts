import type { KubeObject } from '../client/index.js';
import {
  AlreadyOwnedError,
  getControllerOf,
  isControlledBy,
  setControllerReference,
  setOwnerReference,
} from './owner-references.js';

const owner = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', namespace: 'ns', uid: 'u1' },
};
const other = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'x', namespace: 'ns', uid: 'u2' },
};
const child: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' } };

describe('owner references', () => {
  it('sets a blocking controller reference without touching the input', () => {
    const owned = setControllerReference(owner, child);
    expect(owned.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        name: 'w',
        uid: 'u1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(child.metadata.ownerReferences).toBeUndefined();
    expect(isControlledBy(owned, owner)).toBe(true);
    expect(getControllerOf(owned)?.uid).toBe('u1');
  });

  it('is idempotent for the same owner and refuses a second controller', () => {
    const owned = setControllerReference(owner, setControllerReference(owner, child));
    expect(owned.metadata.ownerReferences).toHaveLength(1);
    expect(() => setControllerReference(other, owned)).toThrow(AlreadyOwnedError);
  });

  it('adds plain owners beside the controller', () => {
    const owned = setOwnerReference(other, setControllerReference(owner, child));
    expect(owned.metadata.ownerReferences?.map((r) => [r.uid, r.controller])).toEqual([
      ['u1', true],
      ['u2', false],
    ]);
  });

  it('refuses cross-namespace ownership and owners without a uid', () => {
    expect(() => setControllerReference(owner, { metadata: { name: 'c', namespace: 'elsewhere' } })).toThrow(
      /own namespace/,
    );
    expect(() =>
      setControllerReference({ ...owner, metadata: { name: 'w', namespace: 'ns' } }, child),
    ).toThrow(/uid/);
  });
});
