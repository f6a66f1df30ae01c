import { healthy, idOf, names, observe } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';

describe('promote learner', () => {
  it('promotes a running learner before adding the next member', () => {
    const members = [...healthy(3), { name: 'etcd-d', learner: true }];
    const step = decide(observe({ spec: { size: 5 }, members }), { newMemberName: names() });
    expect(step).toEqual({ kind: 'PromoteLearner', member: 'etcd-d', memberId: idOf('etcd-d') });
  });

  it('waits for a learner whose Pod is not running yet', () => {
    const members = [
      ...healthy(3),
      { name: 'etcd-d', learner: true, pod: { phase: 'Pending' as const }, reachable: false },
    ];
    const step = decide(observe({ spec: { size: 5 }, members }), { newMemberName: names() });
    expect(step).toMatchObject({ kind: 'Wait', reason: 'LearnerStarting' });
  });

  it('does not promote when the larger voter set would lack a healthy quorum', () => {
    const members = [
      { name: 'etcd-a', leader: true },
      { name: 'etcd-b', healthy: false },
      { name: 'etcd-c', healthy: false },
      { name: 'etcd-d', learner: true },
    ];
    const step = decide(observe({ spec: { size: 4 }, members }), { newMemberName: names() });
    expect(step).toMatchObject({ kind: 'Wait', reason: 'PromotionWouldLoseQuorum' });
  });
});
