import type { EtcdCluster } from '../api/types.js';
import type { PersistentVolumeClaim } from './kube-types.js';
import { clusterOwnerReference, originOf, pvcOwnershipPatch } from './owner.js';

const cluster = (whenDeleted: 'Retain' | 'Delete'): EtcdCluster => ({
  metadata: { name: 'demo', namespace: 'prod', uid: 'uid-1' },
  spec: {
    size: 1,
    version: '3.6.16',
    storage: { type: 'PersistentVolume' },
    persistentVolumeClaimRetentionPolicy: { whenDeleted },
  },
});

function pvc(metadata: Partial<PersistentVolumeClaim['metadata']>): PersistentVolumeClaim {
  return {
    metadata: { name: 'demo-a', namespace: 'prod', resourceVersion: '42', ...metadata },
    spec: {},
  };
}

const label = { 'etcd.switchboard.dev/cluster': 'demo', 'etcd.switchboard.dev/cluster-uid': 'uid-1' };

describe('PVC ownership (whenDeleted)', () => {
  it('takes the owner reference off a PVC made by an older operator under Retain, and labels its UID', () => {
    const old = pvc({
      labels: { 'etcd.switchboard.dev/cluster': 'demo' },
      ownerReferences: [clusterOwnerReference(cluster('Retain'))],
    });
    expect(pvcOwnershipPatch(old, cluster('Retain'))).toEqual({
      metadata: {
        resourceVersion: '42',
        labels: { 'etcd.switchboard.dev/cluster-uid': 'uid-1' },
        ownerReferences: [],
      },
    });
  });

  it('puts the controller reference back under Delete, keeping other owners', () => {
    const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'cm-1' };
    const patch = pvcOwnershipPatch(pvc({ labels: label, ownerReferences: [other] }), cluster('Delete'));
    expect(patch).toEqual({
      metadata: {
        resourceVersion: '42',
        labels: { 'etcd.switchboard.dev/cluster-uid': 'uid-1' },
        ownerReferences: [other, clusterOwnerReference(cluster('Delete'))],
      },
    });
  });

  it('changes nothing on a PVC in line with the policy', () => {
    expect(pvcOwnershipPatch(pvc({ labels: label }), cluster('Retain'))).toBeUndefined();
    const owned = pvc({ labels: label, ownerReferences: [clusterOwnerReference(cluster('Delete'))] });
    expect(pvcOwnershipPatch(owned, cluster('Delete'))).toBeUndefined();
  });

  it("never touches another cluster's PVC (another UID, or no UID label and no reference)", () => {
    const namesake = pvc({ labels: { ...label, 'etcd.switchboard.dev/cluster-uid': 'uid-0' } });
    expect(pvcOwnershipPatch(namesake, cluster('Delete'))).toBeUndefined();
    const unknown = pvc({ labels: { 'etcd.switchboard.dev/cluster': 'demo' } });
    expect(pvcOwnershipPatch(unknown, cluster('Delete'))).toBeUndefined();
    expect(originOf(unknown.metadata)).toEqual({});
  });
});
