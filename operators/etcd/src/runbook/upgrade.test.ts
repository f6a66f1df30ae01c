import { healthy, idOf, names, observe } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';
import { computeStatus } from './status.js';

const old = (name: string, leader = false) => ({ name, leader, version: '3.5.35' });

describe('rolling upgrade', () => {
  it('upgrades followers first, one at a time', () => {
    const members = [old('etcd-a', true), old('etcd-b'), old('etcd-c')];
    expect(decide(observe({ members }), { newMemberName: names() })).toEqual({
      kind: 'UpgradeMember',
      member: 'etcd-b',
      memberId: idOf('etcd-b'),
      from: '3.5.35',
      to: '3.6.16',
      how: 'PatchImage',
    });
  });

  it('waits until the restarted member runs the new version before the next', () => {
    const members = [old('etcd-a', true), { ...old('etcd-b'), imageVersion: '3.6.16' }, old('etcd-c')];
    expect(decide(observe({ members }), { newMemberName: names() })).toMatchObject({
      kind: 'Wait',
      reason: 'MemberRestarting',
    });
  });

  it('moves leadership to an upgraded member before upgrading the leader last', () => {
    const members = [old('etcd-a', true), { name: 'etcd-b' }, { name: 'etcd-c' }];
    expect(decide(observe({ members }), { newMemberName: names() })).toMatchObject({
      kind: 'MoveLeader',
      fromId: idOf('etcd-a'),
      toMember: 'etcd-b',
      why: 'Upgrade',
    });
    const moved = [old('etcd-a'), { name: 'etcd-b', leader: true }, { name: 'etcd-c' }];
    expect(decide(observe({ members: moved }), { newMemberName: names() })).toMatchObject({
      kind: 'UpgradeMember',
      member: 'etcd-a',
    });
  });

  it('does not start while a member is unhealthy or a learner is pending', () => {
    const sick = [old('etcd-a', true), { ...old('etcd-b'), healthy: false }, old('etcd-c')];
    expect(decide(observe({ members: sick }), { newMemberName: names() })).toMatchObject({
      kind: 'Wait',
      reason: 'MembersUnhealthy',
    });
  });

  it('refuses a path that skips a minor version', () => {
    const members = [{ ...old('etcd-a', true), version: '3.4.30' }];
    const step = decide(observe({ spec: { size: 1 }, members }), { newMemberName: names() });
    expect(step).toMatchObject({ kind: 'Wait', reason: 'UnsupportedUpgradePath', degraded: true });
  });

  it('refuses 3.5 -> 3.6 from a 3.5 patch below 3.5.26, and says in Degraded which patch to move to first', () => {
    const members = [
      { ...old('etcd-a', true), version: '3.5.20' },
      { ...old('etcd-b'), version: '3.5.20' },
      { ...old('etcd-c'), version: '3.5.20' },
    ];
    const obs = observe({ members });
    const step = decide(obs, { newMemberName: names() });
    expect(step).toMatchObject({ kind: 'Wait', reason: 'UnsupportedUpgradePath', degraded: true });
    const degraded = computeStatus(obs, step).conditions?.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'UnsupportedUpgradePath' });
    expect(degraded?.message).toContain('set spec.version to 3.5.26');
  });

  it('recreates a member whose Pod template is outdated instead of patching its image', () => {
    const members = [old('etcd-a', true), { ...old('etcd-b'), pod: { templateHash: 'old' } }, old('etcd-c')];
    const persistent = decide(observe({ members, template: 'new' }), { newMemberName: names() });
    expect(persistent).toMatchObject({ kind: 'UpgradeMember', member: 'etcd-b', how: 'RecreatePod' });
    const ephemeral = observe({ members, template: 'new', spec: { storage: { type: 'Ephemeral' } } });
    expect(decide(ephemeral, { newMemberName: names() })).toMatchObject({
      kind: 'UpgradeMember',
      member: 'etcd-b',
      how: 'ReplaceMember',
    });
  });

  it('is converged when every member runs spec.version', () => {
    expect(decide(observe({ members: healthy(3) }), { newMemberName: names() })).toEqual({
      kind: 'Converged',
    });
  });
});
