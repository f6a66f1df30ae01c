import { healthy, idOf, names, observe } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';
import { JOIN_TIMEOUT_MS, REPLACE_AFTER_RESTARTS } from './replace-member.js';

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

  it('replaces a learner that never joins, so it cannot block later scale-ups', () => {
    const members = [...healthy(3), { name: 'etcd-d', learner: true, started: false }];
    const created = Date.parse('2026-01-01T00:00:03Z');
    const at = (observedAt: number, restartCount = 0) =>
      decide(
        {
          ...observe({
            spec: { size: 4 },
            members: members.map((m) => (m.name === 'etcd-d' ? { ...m, pod: { restartCount } } : m)),
          }),
          observedAt,
        },
        { newMemberName: names() },
      );
    expect(at(created + JOIN_TIMEOUT_MS - 1000)).toMatchObject({ kind: 'Wait', reason: 'LearnerStarting' });
    expect(at(created + JOIN_TIMEOUT_MS)).toMatchObject({
      kind: 'RemoveMember',
      member: 'etcd-d',
      reason: 'Replace',
      detail: expect.stringContaining('has not joined') as unknown,
    });
    expect(at(created, REPLACE_AFTER_RESTARTS)).toMatchObject({
      kind: 'RemoveMember',
      member: 'etcd-d',
      detail: expect.stringContaining('never joined') as unknown,
    });
  });

  it('starts a member that was added but has no Pod yet, however long ago it was added', () => {
    const members = [...healthy(3), { name: 'etcd-d', learner: true, started: false, pod: false as const }];
    const step = decide(
      { ...observe({ spec: { size: 4 }, members }), observedAt: Date.now() },
      { newMemberName: names() },
    );
    expect(step).toMatchObject({ kind: 'StartMember', member: 'etcd-d', why: 'NeverStarted' });
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

  it('deletes the Pod, then the PVC (whenScaled Delete), of a removed member left behind by an interrupted step', () => {
    const spec = { persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' as const } };
    const obs = observe({
      spec,
      members: healthy(3),
      extraPods: ['etcd-x'],
      extraPvcs: ['etcd-x', 'etcd-y'],
    });
    expect(decide(obs, { newMemberName: names() })).toEqual({
      kind: 'DeleteOrphan',
      member: 'etcd-x',
      pod: true,
      pvc: false,
    });
    const later = observe({ spec, members: healthy(3), extraPvcs: ['etcd-x'] });
    expect(decide(later, { newMemberName: names() })).toEqual({
      kind: 'DeleteOrphan',
      member: 'etcd-x',
      pod: false,
      pvc: true,
    });
  });
});
