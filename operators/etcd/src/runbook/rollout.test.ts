import { healthy, idOf, names, observe } from '../../test/support/observation-fixture.js';
import type { FixtureCluster, FixtureMember } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';
import { planRollout } from './rollout.js';
import { isDestructive } from './step.js';

const outdated = (m: FixtureMember): FixtureMember => ({ ...m, pod: { templateHash: 'old' } });
const plan = (members: FixtureMember[], extra: Omit<FixtureCluster, 'members'> = {}) =>
  decide(observe({ members, template: 'new', ...extra }), { newMemberName: names() });

describe('member template rollout', () => {
  it('recreates followers first, one at a time, on their data', () => {
    const step = plan(healthy(3).map(outdated));
    expect(step).toEqual({
      kind: 'RollMember',
      member: 'etcd-b',
      memberId: idOf('etcd-b'),
      how: 'RecreatePod',
      updated: 0,
      total: 3,
    });
    expect(isDestructive(step)).toBe(true);
  });

  it('counts Pods an older operator made (no template hash) as outdated', () => {
    const [a, b, c] = healthy(3);
    expect(plan([a!, { ...b!, pod: { templateHash: undefined } }, c!])).toMatchObject({
      kind: 'RollMember',
      member: 'etcd-b',
      updated: 2,
      total: 3,
    });
  });

  it('moves leadership to an updated member, then recreates the leader last', () => {
    const [a, b, c] = healthy(3);
    expect(plan([outdated(a!), b!, c!])).toEqual({
      kind: 'MoveLeader',
      fromId: idOf('etcd-a'),
      toId: idOf('etcd-b'),
      toMember: 'etcd-b',
      why: 'Rollout',
    });
    const moved = [outdated({ name: 'etcd-a' }), { name: 'etcd-b', leader: true }, { name: 'etcd-c' }];
    expect(plan(moved)).toMatchObject({ kind: 'RollMember', member: 'etcd-a', updated: 2, total: 3 });
  });

  it('waits while the recreated member is not back: gone, terminating, not ready or unhealthy', () => {
    const [a, b, c] = healthy(3);
    const terminating = { ...b!, pod: { terminating: true } };
    expect(plan([outdated(a!), terminating, outdated(c!)])).toMatchObject({
      kind: 'Wait',
      reason: 'RolloutWaitsForMembers',
    });
    expect(plan([outdated(a!), { ...b!, pod: { ready: false } }, outdated(c!)])).toMatchObject({
      kind: 'Wait',
      reason: 'RolloutWaitsForMembers',
    });
    expect(plan([outdated(a!), { ...b!, healthy: false }, outdated(c!)])).toMatchObject({
      kind: 'Wait',
      reason: 'RolloutWaitsForMembers',
    });
    // No Pod at all: restart-member.ts starts it from the current template first.
    expect(plan([outdated(a!), { ...b!, pod: false }, outdated(c!)])).toMatchObject({
      kind: 'StartMember',
      member: 'etcd-b',
      why: 'PodLost',
    });
  });

  it('waits while a learner is pending or the member count differs from spec.size', () => {
    const withLearner = [...healthy(3).map(outdated), { name: 'etcd-d', learner: true }];
    expect(planRollout(observe({ members: withLearner, template: 'new' }))).toMatchObject({
      kind: 'Wait',
      reason: 'RolloutWaitsForMembership',
    });
    const tooFew = observe({ members: healthy(3).map(outdated), template: 'new', spec: { size: 5 } });
    expect(planRollout(tooFew)).toMatchObject({ kind: 'Wait', reason: 'RolloutWaitsForMembership' });
    // In the runbook's order the membership change comes first.
    expect(plan(withLearner, { spec: { size: 4 } })).toMatchObject({
      kind: 'PromoteLearner',
      member: 'etcd-d',
    });
  });

  it('lets the upgrade go first: no rollout while a member runs another version', () => {
    const members = healthy(3).map((m) => outdated({ ...m, version: '3.5.35' }));
    expect(plan(members)).toMatchObject({ kind: 'UpgradeMember', member: 'etcd-b', how: 'RecreatePod' });
    const restarting = [
      outdated({ ...healthy(1)[0]!, version: '3.5.35' }),
      { name: 'etcd-b', version: '3.5.35', imageVersion: '3.6.16', pod: { templateHash: 'new' } },
      outdated({ name: 'etcd-c', version: '3.5.35' }),
    ];
    expect(plan(restarting)).toMatchObject({ kind: 'Wait', reason: 'MemberRestarting' });
  });

  it('replaces members on ephemeral storage instead of deleting their data with the Pod', () => {
    const ephemeral = { spec: { storage: { type: 'Ephemeral' as const } } };
    expect(plan(healthy(3).map(outdated), ephemeral)).toMatchObject({
      kind: 'RollMember',
      member: 'etcd-b',
      how: 'ReplaceMember',
    });
    // The replaced member is gone from etcd: scale-up adds a fresh one from the current template.
    const [a, , c] = healthy(3);
    expect(plan([outdated(a!), outdated(c!)], ephemeral)).toMatchObject({ kind: 'AddLearner' });
  });

  it('never replaces the only member of an ephemeral cluster', () => {
    const step = plan(healthy(1).map(outdated), { spec: { size: 1, storage: { type: 'Ephemeral' } } });
    expect(step).toMatchObject({ kind: 'Wait', reason: 'RolloutWouldLoseData' });
  });

  it('is converged when every member Pod is on the current template', () => {
    expect(plan(healthy(3))).toEqual({ kind: 'Converged' });
  });
});
