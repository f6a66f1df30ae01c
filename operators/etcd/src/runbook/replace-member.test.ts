import { healthy, idOf, names, observe } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';
import { REPLACE_AFTER_RESTARTS } from './replace-member.js';

describe('replace member', () => {
  it('recreates a lost Pod on its PVC first (same member, same data)', () => {
    const members = healthy(3);
    members[1] = { name: 'etcd-b', pod: false };
    const step = decide(observe({ members }), { newMemberName: names() });
    expect(step).toEqual({ kind: 'StartMember', member: 'etcd-b', memberId: idOf('etcd-b'), why: 'PodLost' });
  });

  it('restarts members on their PVCs even when etcd has no quorum', () => {
    const members = [
      { name: 'etcd-a' },
      { name: 'etcd-b', pod: false as const },
      { name: 'etcd-c', pod: false as const },
    ];
    const step = decide(observe({ members, noQuorum: true }), { newMemberName: names() });
    expect(step).toEqual({ kind: 'StartMember', member: 'etcd-b', why: 'PodLost' });
  });

  it('removes a member whose ephemeral data is gone, so scale-up replaces it', () => {
    const members = healthy(3);
    members[2] = { name: 'etcd-c', pod: false };
    const step = decide(observe({ spec: { storage: { type: 'Ephemeral' } }, members }), {
      newMemberName: names(),
    });
    expect(step).toMatchObject({ kind: 'RemoveMember', member: 'etcd-c', reason: 'Replace' });
  });

  it('replaces a crash-looping member after repeated restarts', () => {
    const members = healthy(3);
    members[1] = { name: 'etcd-b', healthy: false, pod: { restartCount: REPLACE_AFTER_RESTARTS } };
    expect(decide(observe({ members }), { newMemberName: names() })).toMatchObject({
      kind: 'RemoveMember',
      member: 'etcd-b',
      reason: 'Replace',
    });
    members[1] = { name: 'etcd-b', healthy: false, pod: { restartCount: REPLACE_AFTER_RESTARTS - 1 } };
    expect(decide(observe({ members }), { newMemberName: names() })).not.toMatchObject({
      kind: 'RemoveMember',
    });
  });

  it('replaces a member with a CORRUPT alarm', () => {
    const step = decide(
      observe({ members: healthy(3), alarms: [{ memberId: idOf('etcd-c'), alarm: 'CORRUPT' }] }),
      { newMemberName: names() },
    );
    expect(step).toMatchObject({ kind: 'RemoveMember', member: 'etcd-c', reason: 'Replace' });
  });

  it('never removes anything when etcd gives no quorum-confirmed member list', () => {
    const members = [{ name: 'etcd-a' }, { name: 'etcd-b', healthy: false, pod: { restartCount: 50 } }];
    expect(decide(observe({ members, noQuorum: true }), { newMemberName: names() })).toMatchObject({
      kind: 'Wait',
      reason: 'NoQuorum',
    });
  });

  it('deletes the Pod, then the PVC, of a removed member left behind by an interrupted step', () => {
    const obs = observe({ members: healthy(3), extraPods: ['etcd-x'], extraPvcs: ['etcd-x', 'etcd-y'] });
    expect(decide(obs, { newMemberName: names() })).toEqual({
      kind: 'DeleteOrphan',
      member: 'etcd-x',
      pod: true,
      pvc: false,
    });
    const later = observe({ members: healthy(3), extraPvcs: ['etcd-x'] });
    expect(decide(later, { newMemberName: names() })).toEqual({
      kind: 'DeleteOrphan',
      member: 'etcd-x',
      pod: false,
      pvc: true,
    });
  });
});
