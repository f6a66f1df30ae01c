import { healthy, idOf, names, observe } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';

describe('scale down', () => {
  it('removes the newest healthy follower', () => {
    const step = decide(observe({ spec: { size: 3 }, members: healthy(5) }), { newMemberName: names() });
    expect(step).toMatchObject({ kind: 'RemoveMember', member: 'etcd-e', reason: 'ScaleDown' });
  });

  it("keeps the removed member's PVC under whenScaled Retain (the default), deletes it under Delete", () => {
    const retain = decide(observe({ spec: { size: 3 }, members: healthy(5) }), { newMemberName: names() });
    expect(retain).toMatchObject({ kind: 'RemoveMember', member: 'etcd-e', volume: 'Retain' });
    const spec = { size: 3, persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' as const } };
    const remove = decide(observe({ spec, members: healthy(5) }), { newMemberName: names() });
    expect(remove).toMatchObject({ kind: 'RemoveMember', member: 'etcd-e', volume: 'Delete' });
    const ephemeral = { size: 3, storage: { type: 'Ephemeral' as const } };
    expect(
      decide(observe({ spec: ephemeral, members: healthy(5) }), { newMemberName: names() }),
    ).toMatchObject({ volume: 'Delete' });
  });

  it('removes unhealthy members before healthy ones', () => {
    const members = healthy(5);
    members[1]!.healthy = false;
    const step = decide(observe({ spec: { size: 4 }, members }), { newMemberName: names() });
    expect(step).toMatchObject({ kind: 'RemoveMember', member: 'etcd-b' });
  });

  it('removes a surplus learner first', () => {
    const members = [...healthy(3), { name: 'etcd-d', learner: true }];
    const step = decide(observe({ spec: { size: 3 }, members }), { newMemberName: names() });
    expect(step).toMatchObject({ kind: 'RemoveMember', member: 'etcd-d' });
  });

  it('moves leadership away before removing the leader', () => {
    const members = healthy(5);
    members[0]!.leader = false;
    members[4]!.leader = true;
    const step = decide(observe({ spec: { size: 3 }, members }), { newMemberName: names() });
    expect(step).toMatchObject({
      kind: 'MoveLeader',
      fromId: idOf('etcd-e'),
      toMember: 'etcd-a',
      why: 'ScaleDown',
    });
  });

  it('never removes a healthy voter when that would lose quorum', () => {
    const members = [
      { name: 'etcd-a', leader: true },
      { name: 'etcd-b', healthy: false },
      { name: 'etcd-c', healthy: false },
      { name: 'etcd-d' },
    ];
    // The two unhealthy ones go first; removing either keeps 2 healthy of 3.
    expect(decide(observe({ spec: { size: 3 }, members }), { newMemberName: names() })).toMatchObject({
      kind: 'RemoveMember',
      member: 'etcd-c',
    });
    const three = [{ name: 'etcd-a', leader: true }, { name: 'etcd-b', healthy: false }, { name: 'etcd-c' }];
    // From 3 to 2: the unhealthy b goes, leaving a and c healthy.
    expect(decide(observe({ spec: { size: 2 }, members: three }), { newMemberName: names() })).toMatchObject({
      member: 'etcd-b',
    });
    // Guard in depth: with 2 of 5 healthy, removing even a dead voter leaves 2 of 4, short of quorum.
    const sick = [
      { name: 'etcd-a', leader: true },
      { name: 'etcd-b' },
      { name: 'etcd-c', healthy: false },
      { name: 'etcd-d', healthy: false },
      { name: 'etcd-e', healthy: false },
    ];
    expect(decide(observe({ spec: { size: 3 }, members: sick }), { newMemberName: names() })).toMatchObject({
      kind: 'Wait',
      reason: 'ScaleDownWouldLoseQuorum',
    });
  });
});
