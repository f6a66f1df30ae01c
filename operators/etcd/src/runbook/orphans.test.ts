import { healthy, names, observe } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';

describe('leftovers of interrupted steps', () => {
  it('retains, never deletes, the PVC of a member that left etcd under whenScaled Retain (the default)', () => {
    const obs = observe({ members: healthy(3), extraPods: ['etcd-x'], extraPvcs: ['etcd-x'] });
    // Its Pod goes first; the PVC only once no Pod uses it.
    expect(decide(obs, { newMemberName: names() })).toEqual({
      kind: 'DeleteOrphan',
      member: 'etcd-x',
      pod: true,
      pvc: false,
    });
    const later = observe({ members: healthy(3), extraPvcs: ['etcd-x'] });
    expect(decide(later, { newMemberName: names() })).toEqual({
      kind: 'RetainVolume',
      member: 'etcd-x',
      why: 'Orphaned',
    });
  });

  it('never deletes a retained PVC, nor a Pod or PVC of another cluster of the same name', () => {
    for (const whenScaled of ['Retain', 'Delete'] as const) {
      const obs = observe({
        spec: { persistentVolumeClaimRetentionPolicy: { whenScaled } },
        members: healthy(3),
        retainedPvcs: ['etcd-r'],
        foreign: ['etcd-f'],
      });
      expect(decide(obs, { newMemberName: names() })).toEqual({ kind: 'Converged' });
    }
  });

  it('never deletes the Pod or PVC of a Pod whose etcd answers with another cluster ID', () => {
    const obs = observe({
      spec: { persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } },
      members: healthy(3),
      extraPods: ['etcd-s'],
      extraPvcs: ['etcd-s', 'etcd-t'],
      foreignAnswers: [{ member: 'etcd-s', clusterId: 'c9' }],
    });
    // etcd-t (no Pod, so nothing answered for it) is still ours to clean up; etcd-s is left alone.
    expect(decide(obs, { newMemberName: names() })).toEqual({
      kind: 'DeleteOrphan',
      member: 'etcd-t',
      pod: false,
      pvc: true,
    });
  });
});

describe('a member removal stopped after the member left etcd', () => {
  const deleting = { persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' as const } };

  it('quarantines the leftover PVC its removal was to quarantine, even under whenScaled Delete', () => {
    const obs = {
      ...observe({ spec: deleting, members: healthy(3), extraPvcs: ['etcd-x'] }),
      pvcFates: new Map([['etcd-x', { volume: 'Quarantine' as const, quarantineId: 'replaced-abc' }]]),
    };
    expect(decide(obs, { newMemberName: names() })).toEqual({
      kind: 'QuarantineVolume',
      member: 'etcd-x',
      quarantineId: 'replaced-abc',
    });
  });

  it('retains the leftover PVC its removal was to retain, even after whenScaled became Delete', () => {
    const obs = {
      ...observe({ spec: deleting, members: healthy(3), extraPvcs: ['etcd-x'] }),
      pvcFates: new Map([['etcd-x', { volume: 'Retain' as const }]]),
    };
    expect(decide(obs, { newMemberName: names() })).toEqual({
      kind: 'RetainVolume',
      member: 'etcd-x',
      why: 'ScaledDown',
    });
  });

  it('deletes the Pod first and the PVC only once no Pod uses it; a Delete fate follows whenScaled', () => {
    const fates = new Map([['etcd-x', { volume: 'Quarantine' as const, quarantineId: 'replaced-abc' }]]);
    const withPod = {
      ...observe({ spec: deleting, members: healthy(3), extraPods: ['etcd-x'], extraPvcs: ['etcd-x'] }),
      pvcFates: fates,
    };
    expect(decide(withPod, { newMemberName: names() })).toEqual({
      kind: 'DeleteOrphan',
      member: 'etcd-x',
      pod: true,
      pvc: false,
    });
    const deleteFate = new Map([['etcd-x', { volume: 'Delete' as const }]]);
    const plain = {
      ...observe({ spec: deleting, members: healthy(3), extraPvcs: ['etcd-x'] }),
      pvcFates: deleteFate,
    };
    expect(decide(plain, { newMemberName: names() })).toEqual({
      kind: 'DeleteOrphan',
      member: 'etcd-x',
      pod: false,
      pvc: true,
    });
  });
});
