import { healthy, idOf, names, observe } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';
import type { MemberPod } from './observation.js';
import { JOIN_TIMEOUT_MS, memberFailureTimeoutMs, REPLACE_AFTER_RESTARTS } from './replace-member.js';
import { computeStatus } from './status.js';
import { describeStep } from './step.js';

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

  // The window of issue 18 item 8: judged on how long a member has been unhealthy, never on lifetime restarts.
  describe('judges failure over a recent window (status.members[].unhealthySince)', () => {
    const now = Date.parse('2026-01-01T01:00:00Z');
    const bound = memberFailureTimeoutMs({});
    const sick = (pod: Partial<MemberPod>, unhealthyForMs?: number, spec = {}) => {
      const members = healthy(3);
      members[1] = { name: 'etcd-b', healthy: false, pod };
      const status = {
        clusterID: 'c1',
        ...(unhealthyForMs !== undefined
          ? {
              members: [
                {
                  name: 'etcd-b',
                  id: idOf('etcd-b'),
                  peerURL: '',
                  healthy: false,
                  learner: false,
                  leader: false,
                  unhealthySince: new Date(now - unhealthyForMs).toISOString(),
                },
              ],
            }
          : {}),
      };
      return { ...observe({ members, status, spec }), observedAt: now };
    };

    it('never replaces a healthy member, however many times its container restarted', () => {
      const members = healthy(3);
      members[1] = { name: 'etcd-b', pod: { restartCount: 20 } };
      const obs = { ...observe({ members }), observedAt: now };
      expect(decide(obs, { newMemberName: names() })).toEqual({ kind: 'Converged' });
    });

    it('does not replace a member at its first unhealthy sample, and records when it turned unhealthy', () => {
      const obs = sick({ restartCount: 20 });
      expect(decide(obs, { newMemberName: names() })).not.toMatchObject({ kind: 'RemoveMember' });
      const status = computeStatus(obs, { kind: 'Converged' }, new Date(now));
      expect(status.members?.find((m) => m.name === 'etcd-b')?.unhealthySince).toBe(
        new Date(now).toISOString(),
      );
      expect(status.members?.find((m) => m.name === 'etcd-a')?.unhealthySince).toBeUndefined();
    });

    it('keeps the start of an unhealthy spell and clears it once the member is healthy again', () => {
      const since = new Date(now - 60_000).toISOString();
      const obs = sick({}, 60_000);
      expect(computeStatus(obs, { kind: 'Converged' }, new Date(now)).members?.[1]?.unhealthySince).toBe(
        since,
      );
      const recovered = { ...observe({ members: healthy(3), status: obs.previousStatus }), observedAt: now };
      expect(
        computeStatus(recovered, { kind: 'Converged' }, new Date(now)).members?.[1]?.unhealthySince,
      ).toBeUndefined();
    });

    it('replaces a member unhealthy past spec.memberFailureTimeoutSeconds, not before', () => {
      expect(decide(sick({ restartCount: 20 }, bound - 1000), { newMemberName: names() })).not.toMatchObject({
        kind: 'RemoveMember',
      });
      expect(decide(sick({ restartCount: 0 }, bound), { newMemberName: names() })).toMatchObject({
        kind: 'RemoveMember',
        member: 'etcd-b',
        reason: 'Replace',
        detail: expect.stringContaining('has not been healthy for 300 s') as unknown,
      });
      expect(
        decide(sick({}, 31_000, { memberFailureTimeoutSeconds: 30 }), { newMemberName: names() }),
      ).toMatchObject({ kind: 'RemoveMember', member: 'etcd-b' });
    });

    it('counts no unhealthy time before this operator started reconciling', () => {
      const obs = sick({}, bound + 60_000);
      const watchingSince = new Date(now - bound + 1000);
      expect(decide(obs, { newMemberName: names(), watchingSince })).not.toMatchObject({
        kind: 'RemoveMember',
      });
      expect(decide(obs, { newMemberName: names(), watchingSince: new Date(now - bound) })).toMatchObject({
        kind: 'RemoveMember',
        member: 'etcd-b',
      });
    });

    it('drops unhealthySince while there is no quorum: the spell starts again with one', () => {
      const lost = {
        ...observe({ members: healthy(3), noQuorum: true, status: sick({}, bound).previousStatus }),
      };
      const status = computeStatus(lost, { kind: 'Wait', reason: 'NoQuorum', message: '' }, new Date(now));
      expect(status.members?.find((m) => m.name === 'etcd-b')).toMatchObject({ name: 'etcd-b' });
      expect(status.members?.some((m) => m.unhealthySince !== undefined)).toBe(false);
    });

    it('deletes the PVC of a member that failed while running on a Ready node (a crash loop)', () => {
      expect(decide(sick({ restartCount: 7 }, bound), { newMemberName: names() })).toMatchObject({
        kind: 'RemoveMember',
        member: 'etcd-b',
        volume: 'Delete',
      });
    });

    // Issue 18 item 7: a member on a lost node is replaced after the bound, its PVC kept.
    it('replaces a member whose node is NotReady, quarantining its PVC instead of deleting it', () => {
      const step = decide(sick({ ready: false, nodeProblem: 'node n2 is NotReady (Ready=Unknown)' }, bound), {
        newMemberName: names(),
      });
      expect(step).toMatchObject({
        kind: 'RemoveMember',
        member: 'etcd-b',
        volume: 'Quarantine',
        quarantineId: 'replaced-20260101T010000000Z',
        detail: expect.stringContaining('node n2 is NotReady') as unknown,
      });
      expect(describeStep(step)).toContain('its PVC etcd-b is quarantined');
    });

    it('quarantines the PVC when the kubelet still reports the Pod Ready but etcd calls it unhealthy (a stale view)', () => {
      expect(decide(sick({ ready: true }, bound), { newMemberName: names() })).toMatchObject({
        kind: 'RemoveMember',
        member: 'etcd-b',
        volume: 'Quarantine',
      });
    });

    it('replaces a member whose Pod is stuck Terminating, quarantining its PVC', () => {
      const step = decide(sick({ terminating: true }, bound), { newMemberName: names() });
      expect(step).toMatchObject({
        kind: 'RemoveMember',
        member: 'etcd-b',
        volume: 'Quarantine',
        detail: expect.stringContaining('stuck Terminating') as unknown,
      });
    });

    it('replaces a member Pending on a volume bound to a lost node, quarantining its PVC', () => {
      const nodeProblem = 'its volume pvc-1 is bound to a node: node n2 is gone';
      const step = decide(sick({ phase: 'Pending', ready: false, nodeProblem }, bound), {
        newMemberName: names(),
      });
      expect(step).toMatchObject({ kind: 'RemoveMember', member: 'etcd-b', volume: 'Quarantine' });
      expect(step).toMatchObject({
        detail: expect.stringContaining('its Pod is Pending; its volume') as unknown,
      });
    });

    it('waits instead when two of three members are lost (removing one would leave no healthy quorum)', () => {
      const members = healthy(3);
      members[1] = { name: 'etcd-b', healthy: false, pod: { nodeProblem: 'node n2 is gone' } };
      members[2] = { name: 'etcd-c', healthy: false, pod: { nodeProblem: 'node n3 is gone' } };
      const record = (name: string) => ({
        name,
        id: idOf(name),
        peerURL: '',
        healthy: false,
        learner: false,
        leader: false,
        unhealthySince: new Date(now - bound).toISOString(),
      });
      const obs = {
        ...observe({ members, status: { clusterID: 'c1', members: [record('etcd-b'), record('etcd-c')] } }),
        observedAt: now,
      };
      // 1 healthy voter of 3 has no quorum: a dead member's removal costs no vote, but 1 of 2 is none either.
      expect(decide(obs, { newMemberName: names() })).not.toMatchObject({ kind: 'RemoveMember' });
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
    // (no quorum: however long etcd-b has been unhealthy)
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
