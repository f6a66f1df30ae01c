import type { EtcdClusterStatus, EtcdSpaceRecoveryStatus } from '../api/types.js';
import type { FixtureCluster } from '../../test/support/observation-fixture.js';
import { healthy, idOf, names, observe } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';
import type { ClusterObservation } from './observation.js';
import type { SpaceStep } from './space.js';
import { SPACE_RECOVERY_MIN_INTERVAL_MS, afterSpaceStep, spaceStatus } from './space.js';
import { computeStatus } from './status.js';

const NOW = new Date('2026-11-28T06:00:00Z');
const full = [{ memberId: idOf('etcd-b'), alarm: 'NOSPACE' }];

/** A healthy 3-member cluster, `etcd-a` leading, each member at `revision` 500 (the leader 501). */
function cluster(
  fixture: Omit<FixtureCluster, 'members'> & { status?: EtcdClusterStatus },
): ClusterObservation {
  const obs = observe({ members: healthy(3), ...fixture });
  for (const m of obs.membership?.members ?? [])
    if (m.status) m.status.revision = m.memberName === 'etcd-a' ? 501n : 500n;
  return obs;
}

const recovering = (record: Partial<EtcdSpaceRecoveryStatus>): EtcdClusterStatus => ({
  clusterID: 'c1',
  space: {
    recovery: {
      phase: 'Defragmenting',
      startedAt: '2026-11-28T05:59:00Z',
      revision: '501',
      defragmented: [],
      ...record,
    },
  },
});

const step = (obs: ClusterObservation) => decide(obs, { newMemberName: names(), now: NOW });

describe('recovery from NOSPACE', () => {
  it('compacts at the leader revision when a member raises NOSPACE, recording the intent first', () => {
    const obs = cluster({ alarms: full });
    const next = step(obs);
    expect(next).toEqual({ kind: 'CompactForSpace', revision: '501' });
    expect(spaceStatus(obs, next, NOW)).toEqual({
      space: {
        recovery: { phase: 'Compacting', startedAt: NOW.toISOString(), revision: '501', defragmented: [] },
      },
    });
    // The executor records compaction as done only after the call returned.
    expect(afterSpaceStep(undefined, { kind: 'CompactForSpace', revision: '501' })).toEqual({
      phase: 'Defragmenting',
    });
  });

  it('repeats the compaction at the recorded revision after an interrupted pass', () => {
    const obs = cluster({ alarms: full, status: recovering({ phase: 'Compacting', revision: '480' }) });
    expect(step(obs)).toEqual({ kind: 'CompactForSpace', revision: '480' });
    expect(spaceStatus(obs, step(obs), NOW)).toEqual({});
  });

  it('defragments followers one per pass by name, the leader last', () => {
    const order: string[] = [];
    let status = recovering({});
    for (let i = 0; i < 3; i++) {
      const next = step(cluster({ alarms: full, status }));
      expect(next).toMatchObject({ kind: 'DefragmentMember', leader: i === 2 });
      if (next.kind !== 'DefragmentMember') throw new Error('unreachable');
      order.push(next.member);
      const done = afterSpaceStep(status.space, next);
      status = recovering({ ...done });
    }
    expect(order).toEqual(['etcd-b', 'etcd-c', 'etcd-a']);
    expect(status.space?.recovery?.defragmented).toEqual(['etcd-a', 'etcd-b', 'etcd-c']);
  });

  it('skips a member that does not answer rather than waiting for it', () => {
    const obs = observe({
      members: [{ name: 'etcd-a', leader: true }, { name: 'etcd-b', reachable: false }, { name: 'etcd-c' }],
      alarms: full,
      status: recovering({ defragmented: ['etcd-c'] }),
    });
    expect(step(obs)).toMatchObject({ kind: 'DefragmentMember', member: 'etcd-a', leader: true });
  });

  it('disarms every NOSPACE alarm once each member is defragmented, then finishes and starts the throttle', () => {
    const alarms = [...full, { memberId: idOf('etcd-a'), alarm: 'NOSPACE' }];
    const defragmented = ['etcd-a', 'etcd-b', 'etcd-c'];
    const obs = cluster({ alarms, status: recovering({ defragmented }) });
    const disarm = step(obs);
    expect(disarm).toEqual({ kind: 'DisarmNoSpace', memberIds: [idOf('etcd-a'), idOf('etcd-b')].sort() });
    expect(spaceStatus(obs, disarm, NOW).space?.recovery).toMatchObject({ phase: 'Disarming' });
    expect(afterSpaceStep(undefined, disarm as SpaceStep)).toEqual({ phase: 'Disarmed' });

    const disarmed = cluster({ status: recovering({ phase: 'Disarming', defragmented }) });
    const finish = step(disarmed);
    expect(finish).toEqual({
      kind: 'FinishSpaceRecovery',
      startedAt: '2026-11-28T05:59:00Z',
      why: 'NoSpace',
    });
    expect(spaceStatus(disarmed, finish, NOW)).toEqual({
      space: {
        recovery: null,
        lastRecoveryTime: NOW.toISOString(),
        lastDefragmentationTime: NOW.toISOString(),
      },
    });
    expect(
      step(cluster({ status: { clusterID: 'c1', space: { lastRecoveryTime: NOW.toISOString() } } })),
    ).toEqual({ kind: 'Converged' });
  });

  it('disarms once: an alarm raised again after the disarm finishes the recovery and goes to the throttle', () => {
    const defragmented = ['etcd-a', 'etcd-b', 'etcd-c'];
    const obs = cluster({ alarms: full, status: recovering({ phase: 'Disarmed', defragmented }) });
    const finish = step(obs);
    expect(finish).toMatchObject({ kind: 'FinishSpaceRecovery' });
    const next = cluster({
      alarms: full,
      status: { clusterID: 'c1', space: { lastRecoveryTime: NOW.toISOString() } },
    });
    expect(step(next)).toMatchObject({ kind: 'Wait', reason: 'NoSpaceRecurring' });
  });

  it('does not loop: a NOSPACE right after a recovery waits and says to raise the quota', () => {
    const justNow = new Date(NOW.getTime() - 30_000).toISOString();
    const obs = cluster({
      spec: { etcdOptions: { quotaBackendBytes: 8 * 1024 * 1024 } },
      alarms: full,
      status: { clusterID: 'c1', space: { lastRecoveryTime: justNow } },
    });
    const wait = step(obs);
    expect(wait).toMatchObject({ kind: 'Wait', reason: 'NoSpaceRecurring' });
    expect(wait.kind === 'Wait' && wait.message).toContain(
      'spec.etcdOptions.quotaBackendBytes (now 8388608 bytes)',
    );
    const degraded = computeStatus(obs, wait, NOW).conditions?.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'NoSpaceRecurring' });

    const later = new Date(NOW.getTime() - SPACE_RECOVERY_MIN_INTERVAL_MS - 1000).toISOString();
    const again = cluster({ alarms: full, status: { clusterID: 'c1', space: { lastRecoveryTime: later } } });
    expect(step(again)).toMatchObject({ kind: 'CompactForSpace' });
  });

  it('reports NOSPACE as Degraded while the cluster stays Available', () => {
    const obs = cluster({ alarms: full });
    const status = computeStatus(obs, step(obs), NOW);
    expect(status.conditions?.find((c) => c.type === 'Available')).toMatchObject({ status: 'True' });
    expect(status.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'NoSpace',
    });
    expect(status).toMatchObject({ phase: 'Recovering' });
  });

  it('restarts a lost member before recovering space, and ignores other alarms', () => {
    const lost = observe({
      members: [{ name: 'etcd-a', leader: true }, { name: 'etcd-b', pod: false }, { name: 'etcd-c' }],
      alarms: full,
    });
    expect(step(lost)).toMatchObject({ kind: 'StartMember', member: 'etcd-b' });
    const corrupt = cluster({ alarms: [{ memberId: idOf('etcd-b'), alarm: 'CORRUPT' }] });
    expect(step(corrupt)).not.toMatchObject({ kind: 'CompactForSpace' });
  });
});

describe('scheduled defragmentation', () => {
  const hourly = { defragmentation: { schedule: '@hourly' } };
  const lastAt = (iso: string): EtcdClusterStatus => ({
    clusterID: 'c1',
    space: { lastDefragmentationTime: iso },
  });

  it('counts the schedule from when it was first seen', () => {
    const obs = cluster({ spec: hourly });
    expect(step(obs)).toEqual({ kind: 'Converged' });
    expect(spaceStatus(obs, step(obs), NOW)).toEqual({
      space: { lastDefragmentationTime: NOW.toISOString() },
    });
  });

  it('defragments every member once a scheduled time has passed, leader last, without compaction or disarm', () => {
    let status = lastAt('2026-11-28T04:30:00Z');
    const first = step(cluster({ spec: hourly, status }));
    expect(first).toEqual({
      kind: 'DefragmentMember',
      member: 'etcd-b',
      memberId: idOf('etcd-b'),
      leader: false,
      why: 'Schedule',
    });
    const record = spaceStatus(cluster({ spec: hourly, status }), first, NOW).space?.recovery;
    expect(record).toMatchObject({ trigger: 'Schedule', phase: 'Defragmenting', defragmented: [] });
    const order: string[] = [];
    status = { ...status, space: { ...status.space, recovery: record! } };
    for (let next = first; next.kind === 'DefragmentMember'; next = step(cluster({ spec: hourly, status }))) {
      order.push(next.member);
      status = {
        ...status,
        space: { ...status.space, recovery: { ...record!, ...afterSpaceStep(status.space, next) } },
      };
    }
    expect(order).toEqual(['etcd-b', 'etcd-c', 'etcd-a']);
    const finish = step(cluster({ spec: hourly, status }));
    expect(finish).toMatchObject({ kind: 'FinishSpaceRecovery', why: 'Schedule' });
    expect(spaceStatus(cluster({ spec: hourly, status }), finish, NOW)).toEqual({
      space: { recovery: null, lastDefragmentationTime: NOW.toISOString() },
    });
  });

  it('waits for the next scheduled time, and for a settled cluster', () => {
    expect(step(cluster({ spec: hourly, status: lastAt('2026-11-28T06:00:00Z') }))).toEqual({
      kind: 'Converged',
    });
    const sick = observe({
      spec: hourly,
      members: [{ name: 'etcd-a', leader: true }, { name: 'etcd-b' }, { name: 'etcd-c', healthy: false }],
      status: lastAt('2026-11-28T04:30:00Z'),
    });
    expect(step(sick)).not.toMatchObject({ kind: 'DefragmentMember' });
  });

  it('reports a schedule it cannot parse as Degraded and goes on', () => {
    const obs = cluster({
      spec: { defragmentation: { schedule: '0 0 30 2 *' } },
      status: lastAt('2026-11-28T04:30:00Z'),
    });
    const next = step(obs);
    expect(next).toEqual({ kind: 'Converged' });
    expect(computeStatus(obs, next, NOW).conditions?.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'InvalidDefragmentationSchedule',
    });
  });
});
