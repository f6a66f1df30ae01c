import { names, observe } from '../../test/support/observation-fixture.js';
import type { EtcdBackup } from '../api/backup-types.js';
import type { EtcdBackupRecoveryStatus, EtcdClusterSpec, EtcdClusterStatus } from '../api/types.js';
import { decide } from './decide.js';
import type { ClusterObservation, MemberPod, SurvivorCandidate } from './observation.js';
import { QUORUM_LOSS_WAIT_MS, recoveryStatus } from './recover.js';
import { backupSnapshots, membersWithData, newestSnapshot } from './recover-from-backup.js';
import { recoveryId } from './quarantine.js';
import type { BackupSnapshot } from './restore.js';
import { computeStatus } from './status.js';
import { describeStep } from './step.js';

const NOW = new Date('2026-11-28T03:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const longAgo = ago(QUORUM_LOSS_WAIT_MS + 1000);

const snap = (backupName: string, takenAt: string, revision: number): BackupSnapshot => ({
  backupName,
  snapshot: `${backupName}-${revision}.db`,
  claimName: 'backups',
  path: `${backupName}/${backupName}-${revision}.db`,
  sha256: 'ab'.repeat(32),
  revision,
  takenAt,
});
const OLD = snap('nightly', '2026-11-28T01:00:00Z', 100);
const NEW = snap('hourly', '2026-11-28T02:00:00Z', 150);

const answer = (memberName: string, clusterId: string): SurvivorCandidate => ({
  memberName,
  memberId: `id-${memberName}`,
  raftIndex: 5n,
  raftAppliedIndex: 5n,
  clusterId,
});

type Remains = false | { pod?: boolean; pvc?: boolean; terminating?: boolean };

/** Quorum lost for good: members a, b, c with whatever is left of them (default nothing). */
function dead(
  over: {
    left?: Partial<Record<'etcd-a' | 'etcd-b' | 'etcd-c', Remains>>;
    spec?: Partial<EtcdClusterSpec>;
    status?: EtcdClusterStatus;
    annotation?: boolean;
    survivors?: SurvivorCandidate[];
    backups?: BackupSnapshot[];
  } = {},
): ClusterObservation {
  const left = over.left ?? {};
  const members = (['etcd-a', 'etcd-b', 'etcd-c'] as const).map((name) => {
    const l = left[name] || { pod: false, pvc: false };
    return {
      name,
      ...(l.pod === false ? { pod: false as const } : { pod: { terminating: l.terminating ?? false } }),
      pvc: l.pvc !== false,
    };
  });
  return {
    ...observe({
      spec: { recovery: 'auto', ...over.spec },
      members,
      noQuorum: true,
      status: { clusterID: 'c1', quorumLostSince: longAgo, ...over.status },
    }),
    uid: 'uid-1',
    survivors: over.survivors ?? [],
    recoveryBackups: over.backups ?? [OLD, NEW],
    ...(over.annotation ? { recoverAnnotation: true } : {}),
  };
}

const step = (obs: ClusterObservation) => decide(obs, { newMemberName: names(), now: NOW });

/** NEW as a step and a record carry it. */
const { takenAt: _taken, ...FROM_NEW } = NEW;

/** The newest of all: an S3 snapshot. */
const S3_NEWEST: BackupSnapshot = {
  backupName: 'offsite',
  snapshot: 'etcd-20261128-025000.db',
  s3: {
    endpoint: 'http://objects.storage.svc:8333',
    bucket: 'etcd-backups',
    region: 'eu-west-1',
    forcePathStyle: true,
    credentialsSecret: 'offsite-credentials',
  },
  path: 'team/ns/offsite/etcd-20261128-025000.db',
  sha256: 'ef'.repeat(32),
  revision: 155,
  takenAt: '2026-11-28T02:50:00Z',
};
const { takenAt: _s3Taken, ...FROM_S3 } = S3_NEWEST;

/** A record of a recovery from S3_NEWEST: its location in place of a claimName. */
function s3Record(phase: EtcdBackupRecoveryStatus['phase']): EtcdBackupRecoveryStatus {
  const { claimName: _claim, ...rest } = record(phase);
  return { ...rest, ...FROM_S3 };
}

function record(phase: EtcdBackupRecoveryStatus['phase']): EtcdBackupRecoveryStatus {
  return {
    source: 'Backup',
    ...FROM_NEW,
    seed: 'etcd-new1',
    previousClusterID: 'c1',
    startedAt: longAgo,
    phase,
  };
}

describe('disaster recovery from a backup when no member survives', () => {
  it('counts data as gone only without a live PVC, or on a member answering as another cluster', () => {
    expect(membersWithData(dead())).toEqual([]);
    // A PVC being deleted is gone (the fixture drops it from the PVCs, as the observation does).
    expect(membersWithData(dead({ left: { 'etcd-a': { pod: true, pvc: false } } }))).toEqual([]);
    // A PVC whose member does not answer may come back (a node that restarts).
    expect(membersWithData(dead({ left: { 'etcd-b': { pod: false } } }))).toEqual(['etcd-b']);
    // Started on empty data, it formed a cluster of its own: none of this cluster's data.
    expect(
      membersWithData(dead({ left: { 'etcd-a': { pod: true } }, survivors: [answer('etcd-a', 'other')] })),
    ).toEqual([]);
    // Answering as this cluster, even with its PVC being deleted: alive now.
    expect(
      membersWithData(dead({ left: { 'etcd-a': { pvc: false } }, survivors: [answer('etcd-a', 'c1')] })),
    ).toEqual(['etcd-a']);
    // Ephemeral storage: the data lives as long as a Pod that is not being deleted.
    const ephemeral = { type: 'Ephemeral' as const };
    expect(
      membersWithData(
        dead({
          spec: { storage: ephemeral },
          left: { 'etcd-a': { pod: true, terminating: true }, 'etcd-b': { pod: true } },
        }),
      ),
    ).toEqual(['etcd-b']);
  });

  it("finds this cluster's verified snapshots on PVCs and in S3 alike, not a namesake's older ones", () => {
    const backup = (name: string, spec: Partial<EtcdBackup['spec']>, times: string[]): EtcdBackup => ({
      metadata: { name },
      spec: { clusterName: 'etcd', destination: { pvc: { claimName: 'backups' } }, ...spec },
      status: {
        snapshots: times.map((t, i) => ({
          name: `${name}-${i}.db`,
          path: `${name}/${name}-${i}.db`,
          revision: 10 + i,
          size: 1,
          sha256: 'cd'.repeat(32),
          completionTime: t,
        })),
      },
    });
    const found = backupSnapshots(
      [
        backup('mine', {}, ['2026-11-28T02:00:00Z', '2026-11-27T00:00:00Z']),
        backup('other-cluster', { clusterName: 'web' }, ['2026-11-28T02:00:00Z']),
        backup(
          'offsite',
          {
            destination: {
              s3: {
                endpoint: 'http://s3',
                bucket: 'b',
                prefix: 'team',
                region: 'eu-west-1',
                forcePathStyle: false,
                credentialsSecret: { name: 's' },
              },
            },
          },
          ['2026-11-28T03:00:00Z', '2026-11-27T12:00:00Z'],
        ),
        backup(
          'offsite-web',
          {
            clusterName: 'web',
            destination: { s3: { endpoint: 'http://s3', bucket: 'b', credentialsSecret: { name: 's' } } },
          },
          ['2026-11-28T03:00:00Z'],
        ),
      ],
      'etcd',
      '2026-11-28T00:00:00Z',
    );
    expect(found).toEqual([
      {
        backupName: 'mine',
        snapshot: 'mine-0.db',
        claimName: 'backups',
        path: 'mine/mine-0.db',
        sha256: 'cd'.repeat(32),
        revision: 10,
        takenAt: '2026-11-28T02:00:00Z',
      },
      {
        backupName: 'offsite',
        snapshot: 'offsite-0.db',
        // Where the seed downloads from: the Secret's name only, never its keys; no prefix (the key is the path).
        s3: {
          endpoint: 'http://s3',
          bucket: 'b',
          region: 'eu-west-1',
          forcePathStyle: false,
          credentialsSecret: 's',
        },
        path: 'offsite/offsite-0.db',
        sha256: 'cd'.repeat(32),
        revision: 10,
        takenAt: '2026-11-28T03:00:00Z',
      },
    ]);
  });

  it('weighs a snapshot by when its data was read: its start time, not when it finished', () => {
    const backup = (
      name: string,
      snapshots: { start: string; end: string; revision: number }[],
    ): EtcdBackup => ({
      metadata: { name },
      spec: { clusterName: 'etcd', destination: { pvc: { claimName: 'backups' } } },
      status: {
        snapshots: snapshots.map(({ start, end, revision }, i) => ({
          name: `${name}-${i}.db`,
          path: `${name}/${name}-${i}.db`,
          revision,
          size: 1,
          sha256: 'cd'.repeat(32),
          startTime: start,
          completionTime: end,
        })),
      },
    });
    const found = backupSnapshots(
      [
        // Started before this cluster was created (a namesake's), finished after: not counted.
        backup('namesake', [{ start: '2026-11-27T23:59:00Z', end: '2026-11-28T00:01:00Z', revision: 900 }]),
        // Slow: read at 01:00, finished at 01:10.
        backup('slow', [{ start: '2026-11-28T01:00:00Z', end: '2026-11-28T01:10:00Z', revision: 200 }]),
        // Quick: read at 01:05, finished at 01:06, so its data is newer.
        backup('quick', [{ start: '2026-11-28T01:05:00Z', end: '2026-11-28T01:06:00Z', revision: 210 }]),
      ],
      'etcd',
      '2026-11-28T00:00:00Z',
    );
    expect(found.map((f) => [f.backupName, f.takenAt])).toEqual([
      ['slow', '2026-11-28T01:00:00Z'],
      ['quick', '2026-11-28T01:05:00Z'],
    ]);
    expect(newestSnapshot(found)?.backupName).toBe('quick');
  });

  it('chooses the newest snapshot: when its data was read, then revision', () => {
    expect(newestSnapshot([OLD, NEW])).toBe(NEW);
    const sameTime = snap('b', NEW.takenAt, 151);
    expect(newestSnapshot([NEW, sameTime])).toBe(sameTime);
    expect(newestSnapshot([])).toBeUndefined();
  });

  it('waits out spec.recoveryDelaySeconds (default 60 s) first', () => {
    const at15s = { quorumLostSince: ago(15_000), clusterID: 'c1' };
    expect(step(dead({ status: at15s }))).toMatchObject({ kind: 'Wait', reason: 'QuorumLost' });
    expect(step(dead({ status: at15s, spec: { recoveryDelaySeconds: 10 } }))).toMatchObject({
      kind: 'StartBackupRecovery',
    });
    expect(step(dead({ status: at15s, spec: { recoveryDelaySeconds: 30 } }))).toMatchObject({
      kind: 'Wait',
      reason: 'QuorumLost',
      message: expect.stringContaining('30 s'),
    });
  });

  it('records the newest snapshot and the new seed in status before deleting the Pods and quarantining the PVCs left', () => {
    // etcd-a's Pod runs as a stranger on its PVC; b and c are gone with their data.
    const obs = dead({ left: { 'etcd-a': { pod: true } }, survivors: [answer('etcd-a', 'other')] });
    const first = step(obs);
    expect(first).toEqual({
      kind: 'StartBackupRecovery',
      restore: FROM_NEW,
      seed: 'etcd-new1',
      recoveryId: '20261128T030000000Z',
      deletePods: ['etcd-a'],
      quarantine: ['etcd-a'],
    });
    expect(recoveryStatus(obs, first, NOW).recovery).toEqual({
      ...record('Clearing'),
      quarantinedPVCs: ['etcd-a'],
      startedAt: NOW.toISOString(),
    });
    const status = computeStatus(obs, first, NOW);
    expect(status.phase).toBe('Recovering');
    expect(status.conditions?.find((c) => c.type === 'Progressing')?.message).toContain(
      'data written after revision 150 is lost',
    );
  });

  it('without a backup, reports Degraded NoSurvivorNoBackup and deletes nothing', () => {
    const obs = dead({ backups: [] });
    const s = step(obs);
    expect(s).toMatchObject({ kind: 'Wait', reason: 'NoSurvivorNoBackup', degraded: true });
    expect(recoveryStatus(obs, s, NOW).recovery).toBeNull();
    expect(computeStatus(obs, s, NOW).conditions?.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'NoSurvivorNoBackup',
      message: expect.stringContaining('no EtcdBackup of etcd in ns'),
    });
  });

  it('never restores while a PVC may still hold data, and says which', () => {
    // etcd-b's Pod is gone but its PVC is there: first it is restarted on its data.
    expect(step(dead({ left: { 'etcd-b': { pod: false } } }))).toMatchObject({
      kind: 'StartMember',
      member: 'etcd-b',
    });
    // Its Pod runs but never answers (empty data, or a node that does not answer): wait, name it.
    expect(step(dead({ left: { 'etcd-b': { pod: true } } }))).toMatchObject({
      kind: 'Wait',
      reason: 'NoSurvivor',
      degraded: true,
      message: expect.stringContaining('etcd-b may still hold data'),
    });
  });

  it('rebuilds from the survivor, not a backup, while a member answers as this cluster', () => {
    const obs = dead({ left: { 'etcd-a': { pod: true } }, survivors: [answer('etcd-a', 'c1')] });
    expect(step(obs)).toMatchObject({ kind: 'StartRecovery', survivor: 'etcd-a' });
  });

  it('with recovery manual, does nothing until the annotation is set', () => {
    expect(step(dead({ spec: { recovery: 'manual' } }))).toMatchObject({ kind: 'Wait', reason: 'NoMembers' });
    expect(step(dead({ spec: { recovery: 'manual' }, annotation: true }))).toMatchObject({
      kind: 'StartBackupRecovery',
    });
  });

  it('follows the record through clearing, seeding and the seed answering, whatever newer backup appears', () => {
    const newer = [snap('later', '2026-11-28T02:30:00Z', 999)];
    // Interrupted while deleting: the same deletions again, same snapshot and seed.
    const clearing = dead({
      status: { recovery: record('Clearing') },
      left: { 'etcd-c': { pod: true } },
      backups: newer,
    });
    expect(step(clearing)).toMatchObject({
      kind: 'StartBackupRecovery',
      restore: { backupName: 'hourly', revision: 150 },
      seed: 'etcd-new1',
      deletePods: ['etcd-c'],
      quarantine: ['etcd-c'],
    });
    // Only terminating Pods left: wait for them.
    const terminating = dead({
      status: { recovery: record('Clearing') },
      left: { 'etcd-c': { pod: true, pvc: false, terminating: true } },
    });
    expect(step(terminating)).toMatchObject({ kind: 'Wait', reason: 'DeadMembersTerminating' });
    // Everything gone: the seed, restored from the recorded snapshot with a new token.
    const cleared = dead({ status: { recovery: record('Clearing') }, backups: newer });
    const seed = step(cleared);
    expect(seed).toEqual({
      kind: 'CreateSeed',
      member: 'etcd-new1',
      restore: { ...FROM_NEW, token: 'uid-1-etcd-new1' },
    });
    expect(recoveryStatus(cleared, seed, NOW).recovery).toMatchObject({ phase: 'Seeding' });
    expect(computeStatus(cleared, seed, NOW).phase).toBe('Recovering');
    // The seed's Pod exists and restores: wait. Its Pod lost before it answered: created again.
    const seeding = (pod: boolean) => ({
      ...observe({
        spec: { recovery: 'auto' },
        members: [{ name: 'etcd-new1', ...(pod ? {} : { pod: false as const }) }],
        noQuorum: true,
        status: { clusterID: 'c1', quorumLostSince: longAgo, recovery: record('Seeding') },
      }),
      uid: 'uid-1',
    });
    expect(step(seeding(true))).toMatchObject({ kind: 'Wait', reason: 'RestoredSeedStarting' });
    expect(step(seeding(false))).toMatchObject({ kind: 'CreateSeed', member: 'etcd-new1' });
    // The seed answers with a quorum as the new cluster: the record ends, growth follows.
    const answering = {
      ...seeding(true),
      membership: { ...observe({ members: [{ name: 'etcd-new1' }] }).membership!, clusterId: 'c2' },
    };
    const finish = step(answering);
    expect(finish).toEqual({ kind: 'FinishRecovery', member: 'etcd-new1', restart: false });
    expect(recoveryStatus(answering, finish, NOW)).toMatchObject({ quorumLostSince: null, recovery: null });
    expect(computeStatus(answering, finish, NOW).clusterID).toBe('c2');
    const grown = { ...answering, previousStatus: { clusterID: 'c2' } };
    expect(step(grown)).toMatchObject({ kind: 'AddLearner' });
  });

  it('chooses an S3 snapshot when it is the newest, and records its location before deleting anything', () => {
    const obs = dead({ backups: [OLD, NEW, S3_NEWEST] });
    const first = step(obs);
    expect(first).toEqual({
      kind: 'StartBackupRecovery',
      restore: FROM_S3,
      seed: 'etcd-new1',
      recoveryId: '20261128T030000000Z',
      deletePods: [],
      quarantine: [],
    });
    const recorded = recoveryStatus(obs, first, NOW).recovery;
    expect(recorded).toEqual({ ...s3Record('Clearing'), startedAt: NOW.toISOString() });
    expect(recorded).not.toHaveProperty('claimName');
    // The Warning Event (the step's description) names the bucket.
    expect(describeStep(first)).toContain('S3 bucket etcd-backups at http://objects.storage.svc:8333');
  });

  it('chooses a PVC snapshot when it is newer than every S3 one', () => {
    const pvcNewer = snap('hourly', '2026-11-28T02:55:00Z', 160);
    const first = step(dead({ backups: [S3_NEWEST, pvcNewer] }));
    expect(first).toMatchObject({
      kind: 'StartBackupRecovery',
      restore: { claimName: 'backups', revision: 160 },
    });
    expect(first.kind === 'StartBackupRecovery' && first.restore).not.toHaveProperty('s3');
    // Taken at the same time: the higher revision, whatever the destination.
    const sameTime = { ...S3_NEWEST, revision: 161, takenAt: pvcNewer.takenAt };
    expect(step(dead({ backups: [pvcNewer, sameTime] }))).toMatchObject({
      restore: { s3: { bucket: 'etcd-backups' }, revision: 161 },
    });
  });

  it('follows an S3 record to a seed downloading from the recorded bucket, whatever the backups say now', () => {
    // Interrupted while clearing, with a newer PVC snapshot around: the recorded S3 snapshot again.
    const newer = [snap('later', '2026-11-28T02:59:00Z', 999)];
    const clearing = dead({
      status: { recovery: s3Record('Clearing') },
      left: { 'etcd-b': { pod: true } },
      backups: newer,
    });
    expect(step(clearing)).toEqual({
      kind: 'StartBackupRecovery',
      restore: FROM_S3,
      seed: 'etcd-new1',
      recoveryId: recoveryId(longAgo),
      deletePods: ['etcd-b'],
      quarantine: ['etcd-b'],
    });
    // Cleared; the EtcdBackup since deleted (no backups at all): the seed restores from the record.
    const cleared = dead({ status: { recovery: s3Record('Clearing') }, backups: [] });
    const seed = step(cleared);
    expect(seed).toEqual({
      kind: 'CreateSeed',
      member: 'etcd-new1',
      restore: { ...FROM_S3, token: 'uid-1-etcd-new1' },
    });
    expect(seed.kind === 'CreateSeed' && seed.restore).not.toHaveProperty('claimName');
    expect(recoveryStatus(cleared, seed, NOW).recovery).toEqual(s3Record('Seeding'));
    expect(describeStep(seed)).toContain('S3 bucket etcd-backups');
    // Seeding and its Pod restoring: the wait names the bucket.
    const s3Seeding = (seed: Partial<MemberPod> = {}): ClusterObservation => ({
      ...observe({
        spec: { recovery: 'auto' },
        members: [{ name: 'etcd-new1', pod: seed }],
        noQuorum: true,
        status: { clusterID: 'c1', quorumLostSince: longAgo, recovery: s3Record('Seeding') },
      }),
      uid: 'uid-1',
    });
    const seeding = s3Seeding();
    expect(step(seeding)).toMatchObject({
      kind: 'Wait',
      reason: 'RestoredSeedStarting',
      message: expect.stringContaining('S3 bucket etcd-backups'),
    });
    // Its download failing (object gone, credentials wrong): Degraded, naming the failure, still this snapshot.
    const failing = s3Seeding({ initFailure: 'init container fetch-snapshot exited 1: NoSuchKey' });
    expect(step(failing)).toMatchObject({
      kind: 'Wait',
      reason: 'RestoredSeedFailing',
      degraded: true,
      message: expect.stringContaining('fetch-snapshot exited 1: NoSuchKey'),
    });
    expect(computeStatus(failing, step(failing), NOW).conditions).toContainEqual(
      expect.objectContaining({ type: 'Degraded', status: 'True', reason: 'RestoredSeedFailing' }),
    );
  });

  it('ignores a member list that does not include the seed while clearing (a stranger answering)', () => {
    const obs = {
      ...dead({ status: { recovery: record('Clearing') }, left: { 'etcd-a': { pod: true } } }),
      membership: { ...observe({ members: [{ name: 'etcd-a' }] }).membership!, clusterId: 'other' },
    };
    expect(step(obs)).toMatchObject({ kind: 'StartBackupRecovery', quarantine: ['etcd-a'] });
  });
});
