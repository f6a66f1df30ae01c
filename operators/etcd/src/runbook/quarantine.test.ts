import { describeWriteLoss, recoveryId } from './quarantine.js';

describe('what a recovery says it may lose', () => {
  it('names the raft indexes between the survivor and the highest seen, and the PVCs that hold them', () => {
    expect(
      describeWriteLoss({
        raftIndex: '20',
        highestRaftIndex: '25',
        highestRaftIndexMember: 'etcd-b',
        quarantine: ['etcd-b', 'etcd-c'],
      }),
    ).toBe(
      'writes between raft index 20 and 25 (last seen on etcd-b) may be lost; quarantined PVCs etcd-b, etcd-c hold them',
    );
  });

  it('claims no loss it has not seen, and does not hide one it cannot measure', () => {
    expect(describeWriteLoss({ raftIndex: '20', highestRaftIndex: '20', quarantine: ['etcd-b'] })).toBe(
      "no member was seen past the survivor's raft index 20; quarantined PVCs etcd-b are kept",
    );
    // A record from before the highest index was kept.
    expect(describeWriteLoss({ raftIndex: '20', quarantine: [] })).toBe(
      "writes past the survivor's raft index 20 may be lost; no other member PVC is left to hold them",
    );
  });

  it('makes a label value of a recovery start time', () => {
    expect(recoveryId('2026-12-07T19:55:27.123Z')).toBe('20261207T195527123Z');
  });
});
