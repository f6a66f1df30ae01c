import { names, observe } from '../../test/support/observation-fixture.js';
import type { EtcdClusterStatus } from '../api/types.js';
import { decide } from './decide.js';
import type { ClusterObservation, SurvivorCandidate } from './observation.js';
import { recoveryId } from './quarantine.js';
import { QUORUM_LOSS_WAIT_MS, chooseSurvivor, recoveryStatus, staleRecoverAnnotation } from './recover.js';
import { computeStatus } from './status.js';
import { describeStep } from './step.js';

const NOW = new Date('2026-11-28T03:00:00Z');
const longAgo = new Date(NOW.getTime() - QUORUM_LOSS_WAIT_MS - 1000).toISOString();
/** A recovery on record: etcd-a chosen, being forced. */
const FORCING_A = {
  survivor: 'etcd-a',
  memberId: 'id-etcd-a',
  raftIndex: '20',
  startedAt: longAgo,
  phase: 'Forcing' as const,
};
const candidate = (memberName: string, raftIndex: bigint, applied = raftIndex): SurvivorCandidate => ({
  memberName,
  memberId: `id-${memberName}`,
  raftIndex,
  raftAppliedIndex: applied,
});

/** Quorum lost: 2 of 3 members gone with their data, etcd-a still running. */
function lost(over: {
  status?: EtcdClusterStatus;
  recovery?: 'manual' | 'auto';
  annotation?: boolean;
  survivors?: SurvivorCandidate[];
  pods?: Partial<Record<string, false | { forceNewCluster?: boolean }>>;
}): ClusterObservation {
  const pods = over.pods ?? {};
  const members = ['etcd-a', 'etcd-b', 'etcd-c'].map((name) => ({
    name,
    ...(pods[name] === undefined && name !== 'etcd-a'
      ? { pod: false as const, pvc: false }
      : pods[name] === false
        ? { pod: false as const }
        : { pod: { forceNewCluster: pods[name]?.forceNewCluster ?? false } }),
  }));
  return {
    ...observe({
      spec: { recovery: over.recovery ?? 'auto' },
      members,
      noQuorum: true,
      status: { clusterID: 'c1', quorumLostSince: longAgo, ...over.status },
    }),
    survivors: over.survivors ?? [candidate('etcd-a', 20n)],
    ...(over.annotation ? { recoverAnnotation: true } : {}),
  };
}

const step = (obs: ClusterObservation) => decide(obs, { newMemberName: names(), now: NOW });

describe('disaster recovery', () => {
  it('chooses the member with the highest raft index, then applied index, then name', () => {
    expect(chooseSurvivor([candidate('b', 10n), candidate('a', 12n), candidate('c', 11n)])?.memberName).toBe(
      'a',
    );
    expect(chooseSurvivor([candidate('b', 12n, 10n), candidate('a', 12n, 11n)])?.memberName).toBe('a');
    expect(chooseSurvivor([candidate('b', 12n), candidate('a', 12n)])?.memberName).toBe('a');
    expect(chooseSurvivor([])).toBeUndefined();
  });

  it('waits out the bound while quorum might come back', () => {
    const obs = lost({ status: { quorumLostSince: new Date(NOW.getTime() - 5000).toISOString() } });
    expect(step(obs)).toMatchObject({ kind: 'Wait', reason: 'QuorumLost' });
    // The first pass without quorum starts the clock.
    expect(
      recoveryStatus(lost({ status: { quorumLostSince: undefined } }), step(obs), NOW).quorumLostSince,
    ).toBe(NOW.toISOString());
  });

  it('counts no time before this operator started reconciling: a loss recorded by an earlier one waits the bound again', () => {
    // Lost long ago per status, but this operator started 5 s ago: quorum may have come back meanwhile.
    const obs = lost({});
    const watchingSince = new Date(NOW.getTime() - 5000);
    const waiting = decide(obs, { newMemberName: names(), now: NOW, watchingSince });
    expect(waiting).toMatchObject({ kind: 'Wait', reason: 'QuorumLost' });
    expect(waiting).toMatchObject({
      message: expect.stringContaining(watchingSince.toISOString()) as unknown,
    });
    // The record keeps when the loss was first seen.
    expect(recoveryStatus(obs, waiting, NOW).quorumLostSince).toBe(longAgo);
    // Once the bound has passed since the start, it recovers.
    const later = new Date(watchingSince.getTime() + QUORUM_LOSS_WAIT_MS);
    expect(decide(obs, { newMemberName: names(), now: later, watchingSince })).toMatchObject({
      kind: 'StartRecovery',
    });
    // A loss first seen after the start counts from the loss, as always.
    const early = new Date(NOW.getTime() - QUORUM_LOSS_WAIT_MS - 60_000);
    expect(decide(obs, { newMemberName: names(), now: NOW, watchingSince: early })).toMatchObject({
      kind: 'StartRecovery',
    });
  });

  it("records the survivor in status before acting, then quarantines the other members' PVCs, deleting only Pods", () => {
    // etcd-b's Pod runs but does not answer (frozen, or its node down); etcd-c is gone with its data.
    const obs = lost({ pods: { 'etcd-b': {} }, survivors: [candidate('etcd-a', 20n)] });
    const first = step(obs);
    expect(first).toEqual({
      kind: 'StartRecovery',
      survivor: 'etcd-a',
      memberId: 'id-etcd-a',
      raftIndex: '20',
      highestRaftIndex: '20',
      highestRaftIndexMember: 'etcd-a',
      recoveryId: '20261128T030000000Z',
      quarantine: ['etcd-b'],
      deletePods: ['etcd-b'],
    });
    expect(recoveryStatus(obs, first, NOW).recovery).toEqual({
      survivor: 'etcd-a',
      memberId: 'id-etcd-a',
      raftIndex: '20',
      highestRaftIndex: '20',
      highestRaftIndexMember: 'etcd-a',
      quarantinedPVCs: ['etcd-b'],
      startedAt: NOW.toISOString(),
      phase: 'Forcing',
    });
  });

  it('follows the record through the quarantine: PVCs not yet set aside are, already quarantined ones stay named', () => {
    // Interrupted half-way: etcd-b's PVC quarantined and its Pod deleted, etcd-c's PVC not yet.
    const recovery = { ...FORCING_A, quarantinedPVCs: ['etcd-b', 'etcd-c'] };
    const obs = {
      ...lost({ status: { recovery }, pods: { 'etcd-c': {} } }),
      quarantinedPvcs: new Set(['etcd-b']),
    };
    expect(step(obs)).toMatchObject({
      kind: 'StartRecovery',
      recoveryId: recoveryId(FORCING_A.startedAt),
      quarantine: ['etcd-b', 'etcd-c'],
      deletePods: ['etcd-c'],
    });
  });

  it("does not wait for lost members' Pods stuck Terminating on a node that is down: it forces the survivor", () => {
    // Every PVC but the survivor's quarantined, their Pods Terminating forever; the survivor's Pod deleted.
    const recovery = { ...FORCING_A, quarantinedPVCs: ['etcd-b', 'etcd-c'] };
    const obs = observe({
      spec: { recovery: 'auto' },
      members: [
        { name: 'etcd-a', pod: false },
        { name: 'etcd-b', pod: { terminating: true }, pvc: false },
        { name: 'etcd-c', pod: { terminating: true }, pvc: false },
      ],
      noQuorum: true,
      quarantinedPvcs: ['etcd-b', 'etcd-c'],
      status: { clusterID: 'c1', quorumLostSince: longAgo, recovery },
    });
    expect(step(obs)).toEqual({ kind: 'ForceNewCluster', member: 'etcd-a' });
  });

  it("records the survivor's raft index and the highest one last seen on any member, and says what may be lost", () => {
    // etcd-b was ahead when it last answered; it does not answer now.
    const members = ['etcd-a', 'etcd-b', 'etcd-c'].map((name, i) => ({
      name,
      id: `id-${name}`,
      peerURL: '',
      healthy: false,
      learner: false,
      leader: false,
      raftIndex: ['18', '25', '21'][i]!,
    }));
    const obs = lost({
      status: { members },
      pods: { 'etcd-b': {}, 'etcd-c': {} },
      survivors: [candidate('etcd-a', 20n)],
    });
    const first = step(obs);
    expect(recoveryStatus(obs, first, NOW).recovery).toMatchObject({
      raftIndex: '20',
      highestRaftIndex: '25',
      highestRaftIndexMember: 'etcd-b',
      quarantinedPVCs: ['etcd-b', 'etcd-c'],
    });
    // The Warning Event and the Progressing message state it.
    expect(describeStep(first)).toContain(
      'writes between raft index 20 and 25 (last seen on etcd-b) may be lost; quarantined PVCs etcd-b, etcd-c hold them',
    );
    expect(
      computeStatus(obs, first, NOW).conditions?.find((c) => c.type === 'Progressing')?.message,
    ).toContain('may be lost');
  });

  it('never declares quorum lost while a majority of the member Pods is Ready: the operator may be the one cut off', () => {
    // The operator reaches no member, but the kubelets on the members' nodes report a and b Ready.
    const cutOff = lost({ pods: { 'etcd-b': {}, 'etcd-c': {} } });
    const readyPods = new Map(cutOff.pods);
    for (const name of ['etcd-a', 'etcd-b']) readyPods.set(name, { ...readyPods.get(name)!, ready: true });
    const obs = { ...cutOff, pods: readyPods };
    const waiting = step(obs);
    expect(waiting).toMatchObject({
      kind: 'Wait',
      reason: 'QuorumUnreachableFromOperator',
      degraded: true,
      message: expect.stringContaining('etcd-a, etcd-b Ready (2 of 3 voters)') as unknown,
    });
    // The wait bound does not run, and status says why.
    expect(recoveryStatus(obs, waiting, NOW).quorumLostSince).toBeNull();
    expect(computeStatus(obs, waiting, NOW).conditions?.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'QuorumUnreachableFromOperator',
    });
    // A Ready Pod being deleted does not count; one Ready of three is no majority: recovery goes on.
    const leaving = new Map(readyPods);
    leaving.set('etcd-b', { ...leaving.get('etcd-b')!, terminating: true });
    expect(step({ ...obs, pods: leaving })).toMatchObject({ kind: 'StartRecovery', survivor: 'etcd-a' });
  });

  it('follows the record: forces the survivor, then restarts it without the flag, then finishes', () => {
    const recovery = FORCING_A;
    // A different member answers better now: the record still wins.
    const gone = lost({
      status: { recovery },
      pods: { 'etcd-a': false },
      survivors: [candidate('etcd-x', 99n)],
    });
    expect(step(gone)).toEqual({ kind: 'ForceNewCluster', member: 'etcd-a' });
    const forced = lost({ status: { recovery }, pods: { 'etcd-a': { forceNewCluster: true } } });
    expect(step(forced)).toMatchObject({ kind: 'Wait', reason: 'ForceNewClusterStarting' });
    const answering = { ...forced, membership: observe({ members: [{ name: 'etcd-a' }] }).membership! };
    const finish = step(answering);
    expect(finish).toEqual({ kind: 'FinishRecovery', member: 'etcd-a', restart: true });
    expect(recoveryStatus(answering, finish, NOW).recovery?.phase).toBe('Restarting');
    const restarting = { ...recovery, phase: 'Restarting' as const };
    // Pod gone: the ordinary restart on its data (no flag) takes over.
    expect(step(lost({ status: { recovery: restarting }, pods: { 'etcd-a': false } }))).toMatchObject({
      kind: 'StartMember',
      member: 'etcd-a',
    });
    const done = {
      ...lost({ status: { recovery: restarting } }),
      membership: observe({ members: [{ name: 'etcd-a' }] }).membership!,
    };
    const last = step(done);
    expect(last).toEqual({ kind: 'FinishRecovery', member: 'etcd-a', restart: false });
    expect(recoveryStatus(done, last, NOW)).toEqual({
      quorumLostSince: null,
      recovery: null,
      quarantinedPVCs: null,
    });
  });

  it('never recovers from a learner: with only a learner answering it waits, deleting nothing', () => {
    // etcd-a (the only voter) is restarting on its PVC; etcd-b, a learner just added, answers.
    const obs = lost({
      pods: { 'etcd-b': {} },
      survivors: [{ ...candidate('etcd-b', 20n), learner: true }],
    });
    expect(step(obs)).toMatchObject({ kind: 'Wait', reason: 'NoSurvivor' });
    // A voter answering beside it is chosen even with a lower raft index.
    const both = lost({
      pods: { 'etcd-b': {} },
      survivors: [{ ...candidate('etcd-b', 30n), learner: true }, candidate('etcd-a', 20n)],
    });
    expect(step(both)).toMatchObject({ kind: 'StartRecovery', survivor: 'etcd-a' });
  });

  it('does nothing with recovery manual until the annotation is set', () => {
    expect(step(lost({ recovery: 'manual' }))).toMatchObject({ kind: 'Wait', reason: 'NoQuorum' });
    expect(step(lost({ recovery: 'manual', annotation: true }))).toMatchObject({ kind: 'StartRecovery' });
  });

  it('restarts lost Pods on their data first, and says so when no member answers', () => {
    // etcd-b has its PVC but no Pod: restart it, it may bring quorum back.
    expect(step(lost({ pods: { 'etcd-b': false } }))).toMatchObject({
      kind: 'StartMember',
      member: 'etcd-b',
    });
    expect(step(lost({ survivors: [] }))).toMatchObject({ kind: 'Wait', reason: 'NoSurvivor' });
  });

  it('calls the annotation stale only while quorum is there and no recovery is on record', () => {
    const healthy = (over: Partial<ClusterObservation>): ClusterObservation => ({
      ...lost({ recovery: 'manual', annotation: true }),
      membership: observe({ members: [{ name: 'etcd-a' }] }).membership!,
      ...over,
    });
    // Quorum came back within the bound, or the operator stopped before removing it: stale.
    expect(staleRecoverAnnotation(healthy({}))).toBe(true);
    // Quorum lost: the annotation asks for this recovery.
    expect(staleRecoverAnnotation(lost({ recovery: 'manual', annotation: true }))).toBe(false);
    // A recovery on record (the survivor forced, answering): FinishRecovery removes it.
    const recovery = FORCING_A;
    const inProgress = healthy({});
    expect(
      staleRecoverAnnotation({ ...inProgress, previousStatus: { ...inProgress.previousStatus, recovery } }),
    ).toBe(false);
    // No annotation, nothing to remove.
    expect(staleRecoverAnnotation(healthy({ recoverAnnotation: false }))).toBe(false);
  });

  it('starts the wait again when status.quorumLostSince cannot be read', () => {
    const garbled = lost({ status: { quorumLostSince: 'yesterday' } });
    expect(step(garbled)).toMatchObject({ kind: 'Wait', reason: 'QuorumLost' });
    expect(recoveryStatus(garbled, step(garbled), NOW).quorumLostSince).toBe(NOW.toISOString());
  });
});
