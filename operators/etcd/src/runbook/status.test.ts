import { healthy, idOf, observe } from '../../test/support/observation-fixture.js';
import { computeStatus } from './status.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');

describe('status', () => {
  it('reports a converged cluster as Running, Available and not Degraded', () => {
    const status = computeStatus(observe({ members: healthy(3) }), { kind: 'Converged' }, t0);
    expect(status).toMatchObject({
      phase: 'Running',
      readyMembers: 3,
      currentVersion: '3.6.16',
      leaderID: idOf('etcd-a'),
    });
    expect(status.members?.map((m) => [m.name, m.leader])).toEqual([
      ['etcd-a', true],
      ['etcd-b', false],
      ['etcd-c', false],
    ]);
    const byType = Object.fromEntries((status.conditions ?? []).map((c) => [c.type, [c.status, c.reason]]));
    expect(byType).toEqual({
      Available: ['True', 'QuorumHealthy'],
      Progressing: ['False', 'Reconciled'],
      Degraded: ['False', 'AllMembersHealthy'],
    });
  });

  it('keeps the highest raft index seen on each member, also while it does not answer', () => {
    const seen = (status: ReturnType<typeof computeStatus>) =>
      Object.fromEntries((status.members ?? []).map((m) => [m.name, m.raftIndex]));
    // Answering: the index each member reports (the fixture's 10), or a higher one seen before.
    const first = computeStatus(observe({ members: healthy(3) }), { kind: 'Converged' }, t0);
    expect(seen(first)).toEqual({ 'etcd-a': '10', 'etcd-b': '10', 'etcd-c': '10' });
    const higher = (first.members ?? []).map((m) => (m.name === 'etcd-b' ? { ...m, raftIndex: '42' } : m));
    const again = computeStatus(
      observe({ members: healthy(3), status: { clusterID: 'c1', members: higher } }),
      { kind: 'Converged' },
      t1,
    );
    expect(seen(again)).toEqual({ 'etcd-a': '10', 'etcd-b': '42', 'etcd-c': '10' });
    // No quorum: the members on record keep their indexes, raised by the members still answering.
    const noQuorum = {
      ...observe({ members: healthy(3), noQuorum: true, status: { clusterID: 'c1', members: higher } }),
      survivors: [{ memberName: 'etcd-c', memberId: idOf('etcd-c'), raftIndex: 50n, raftAppliedIndex: 50n }],
    };
    const wait = { kind: 'Wait' as const, reason: 'QuorumLost', message: '' };
    expect(seen(computeStatus(noQuorum, wait, t1))).toEqual({
      'etcd-a': '10',
      'etcd-b': '42',
      'etcd-c': '50',
    });
  });

  it('records the step about to be taken as the Progressing reason (intent before change)', () => {
    const status = computeStatus(
      observe({ spec: { size: 5 }, members: healthy(3) }),
      { kind: 'AddLearner', member: 'etcd-d' },
      t0,
    );
    expect(status.phase).toBe('Scaling');
    expect(status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'AddLearner',
      message: 'adding member etcd-d as a learner',
    });
  });

  it('keeps lastTransitionTime while a condition keeps its status, and moves it on a flip', () => {
    const first = computeStatus(observe({ members: healthy(3) }), { kind: 'Converged' }, t0);
    const again = computeStatus(observe({ members: healthy(3), status: first }), { kind: 'Converged' }, t1);
    expect(again.conditions?.find((c) => c.type === 'Available')?.lastTransitionTime).toBe(
      '2026-01-01T00:00:00Z',
    );
    const lost = computeStatus(
      observe({ members: healthy(3), noQuorum: true, status: first }),
      { kind: 'Wait', reason: 'NoQuorum', message: 'x' },
      t1,
    );
    expect(lost.phase).toBe('Unavailable');
    expect(lost.conditions?.find((c) => c.type === 'Available')).toMatchObject({
      status: 'False',
      lastTransitionTime: '2026-01-01T00:05:00Z',
    });
    expect(lost.clusterID).toBe('c1');
  });

  it('tracks targetVersion and the lowest running version during an upgrade', () => {
    const members = [
      { name: 'etcd-a', leader: true, version: '3.5.35' },
      { name: 'etcd-b' },
      { name: 'etcd-c' },
    ];
    const status = computeStatus(
      observe({ members }),
      { kind: 'MoveLeader', fromId: 'a', toId: 'b', toMember: 'etcd-b', why: 'Upgrade' },
      t0,
    );
    expect(status).toMatchObject({ phase: 'Upgrading', currentVersion: '3.5.35', targetVersion: '3.6.16' });
  });

  it('shows a template rollout: Updating, the updated members, the progress in Progressing', () => {
    const members = healthy(3).map((m) => (m.name === 'etcd-a' ? m : { ...m, pod: { templateHash: 'old' } }));
    const obs = observe({ members, template: 'new' });
    const step = {
      kind: 'RollMember' as const,
      member: 'etcd-b',
      memberId: idOf('etcd-b'),
      how: 'RecreatePod' as const,
      updated: 1,
      total: 3,
    };
    const status = computeStatus(obs, step, t0);
    expect(status).toMatchObject({ phase: 'Updating', updatedMembers: 1 });
    expect(status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'RollMember',
      message: 'rolling out the member template: 1 of 3 updated; recreating the Pod of etcd-b on its data',
    });
    // While the recreated member comes back (upgrade.ts waits for it as for an upgraded one), still Updating.
    const restarting = { kind: 'Wait' as const, reason: 'MemberRestarting', message: 'waiting for etcd-b' };
    const next = observe({ members, template: 'new', status: { clusterID: 'c1', phase: 'Updating' } });
    expect(computeStatus(next, restarting, t1).phase).toBe('Updating');
    expect(computeStatus(observe({ members }), restarting, t1).phase).toBe('Upgrading');
  });

  it('calls waiting for a new learner to start Scaling, not Recovering', () => {
    const members = [...healthy(1), { name: 'etcd-b', learner: true, started: false, reachable: false }];
    const step = {
      kind: 'Wait' as const,
      reason: 'LearnerStarting',
      message: 'waiting for learner etcd-b to start',
    };
    expect(computeStatus(observe({ members }), step, t0).phase).toBe('Scaling');
  });

  it('is Degraded and names the unhealthy members', () => {
    const members = healthy(3);
    members[2]!.healthy = false;
    const status = computeStatus(observe({ members }), { kind: 'Converged' }, t0);
    expect(status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      message: 'unhealthy: etcd-c',
    });
    expect(status.readyMembers).toBe(2);
  });
});
