import { healthy, idOf, names, observe } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';

describe('scale up', () => {
  it('adds a learner with a name no member, Pod or PVC has', () => {
    let n = 0;
    const taken = () => (++n === 1 ? 'etcd-a' : 'etcd-fresh');
    expect(decide(observe({ spec: { size: 5 }, members: healthy(3) }), { newMemberName: taken })).toEqual({
      kind: 'AddLearner',
      member: 'etcd-fresh',
    });
  });

  it("never names a new member after a quarantined PVC (a member's PVC takes its name)", () => {
    const next = names(); // etcd-new1, etcd-new2, ...
    const obs = observe({ spec: { size: 4 }, members: healthy(3), quarantinedPvcs: ['etcd-new1'] });
    expect(decide(obs, { newMemberName: next })).toEqual({ kind: 'AddLearner', member: 'etcd-new2' });
  });

  it('waits while any member is unhealthy', () => {
    const members = healthy(3);
    members[2]!.healthy = false;
    const step = decide(observe({ spec: { size: 5 }, members }), { newMemberName: names() });
    expect(step).toMatchObject({ kind: 'Wait', reason: 'MembersUnhealthy' });
  });

  it('starts an added member that never started instead of adding another', () => {
    const members = [
      ...healthy(3),
      { name: 'etcd-d', learner: true, started: false, pod: false as const, pvc: false },
    ];
    const step = decide(observe({ spec: { size: 5 }, members }), { newMemberName: names() });
    expect(step).toEqual({
      kind: 'StartMember',
      member: 'etcd-d',
      memberId: idOf('etcd-d'),
      why: 'NeverStarted',
    });
  });
});
