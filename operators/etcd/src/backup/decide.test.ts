import type { EtcdBackupSpec, EtcdBackupStatus, EtcdSnapshotRecord } from '../api/backup-types.js';
import { decideBackup, ONE_SHOT_ATTEMPTS, retryDelayMs, snapshotJobName } from './decide.js';
import type { BackupObservation, SnapshotJobObservation } from './observation.js';
import { computeBackupStatus, refusedBackupStatus } from './status.js';

const NOW = new Date('2026-11-28T02:00:00Z');
const snap = (stamp: string, revision = 10): EtcdSnapshotRecord => ({
  name: `nightly-${stamp}.db`,
  path: `nightly/nightly-${stamp}.db`,
  revision,
  size: 4096,
  sha256: 'b'.repeat(64),
  completionTime: NOW.toISOString(),
});

function observe(over: {
  spec?: Partial<EtcdBackupSpec>;
  status?: EtcdBackupStatus;
  jobs?: SnapshotJobObservation[];
  source?: BackupObservation['source'];
  destination?: BackupObservation['destination'];
  now?: Date;
}): BackupObservation {
  return {
    name: 'nightly',
    namespace: 'ns',
    generation: 1,
    createdAt: '2026-11-28T01:00:00Z',
    spec: {
      clusterName: 'main',
      destination: { pvc: { claimName: 'backups' } },
      maxBackups: 3,
      ...over.spec,
    },
    previousStatus: over.status ?? {},
    source: over.source ?? {
      found: true,
      available: true,
      member: { name: 'main-bbbbb', endpoint: 'http://10.244.1.7:2379' },
      image: 'quay.io/coreos/etcd:v3.6.16',
    },
    destination: over.destination ?? { ready: true, kind: 'pvc', claimName: 'backups', folder: 'nightly' },
    jobs: over.jobs ?? [],
    now: over.now ?? NOW,
  };
}

describe('backup runbook', () => {
  it('starts a one-shot snapshot from the chosen member into the PVC folder', () => {
    const step = decideBackup(observe({}));
    expect(step).toEqual({
      kind: 'StartSnapshot',
      job: 'nightly-20261128-020000',
      scheduledTime: NOW.toISOString(),
      member: 'main-bbbbb',
      endpoint: 'http://10.244.1.7:2379',
      image: 'quay.io/coreos/etcd:v3.6.16',
      claimName: 'backups',
      folder: 'nightly',
      timeoutSeconds: 600,
      deleteAfter: [],
    });
    // Intent first: the Job's name and scheduled time are in status before the Job exists.
    expect(computeBackupStatus(observe({}), step)).toMatchObject({
      phase: 'Running',
      currentJob: 'nightly-20261128-020000',
      lastScheduleTime: NOW.toISOString(),
    });
  });

  it('passes the recorded snapshots that fall out of retention to the Job', () => {
    const status = { snapshots: [snap('20261128-010000'), snap('20261128-013000'), snap('20261128-003000')] };
    const step = decideBackup(observe({ status, spec: { schedule: '*/30 * * * *' } }));
    expect(step).toMatchObject({ kind: 'StartSnapshot', deleteAfter: ['nightly-20261128-003000.db'] });
  });

  it('records a finished Job, keeping maxBackups snapshots, newest first', () => {
    const added = snap('20261128-020000', 42);
    const status: EtcdBackupStatus = {
      currentJob: 'nightly-20261128-020000',
      snapshots: [snap('20261128-010000'), snap('20261128-013000'), snap('20261128-003000')],
    };
    const obs = observe({
      status,
      spec: { schedule: '*/30 * * * *' },
      jobs: [{ name: 'nightly-20261128-020000', state: 'Succeeded', result: { snapshot: added } }],
    });
    const step = decideBackup(obs);
    expect(step).toEqual({ kind: 'RecordSuccess', job: 'nightly-20261128-020000', snapshot: added });
    const next = computeBackupStatus(obs, step);
    expect(next.currentJob).toBeUndefined();
    expect(next.lastSnapshot).toEqual(added);
    expect(next.snapshots?.map((s) => s.name)).toEqual([
      'nightly-20261128-020000.db',
      'nightly-20261128-013000.db',
      'nightly-20261128-010000.db',
    ]);
    expect(next.phase).toBe('Scheduled');
    expect(next.conditions?.find((c) => c.type === 'Succeeded')).toMatchObject({
      status: 'True',
      reason: 'SnapshotVerified',
    });
  });

  it('only deletes a finished Job whose result is already recorded', () => {
    const jobs: SnapshotJobObservation[] = [{ name: 'nightly-20261128-013000', state: 'Succeeded' }];
    expect(decideBackup(observe({ jobs, status: {} }))).toEqual({
      kind: 'DeleteJob',
      job: 'nightly-20261128-013000',
    });
  });

  it('records a failed Job with its reason, and a Job without a usable result as failed', () => {
    const failed = observe({
      status: { currentJob: 'j' },
      jobs: [
        {
          name: 'j',
          state: 'Failed',
          failure: 'BackoffLimitExceeded: last output: context deadline exceeded',
        },
      ],
    });
    const step = decideBackup(failed);
    expect(step).toMatchObject({
      kind: 'RecordFailure',
      message: expect.stringContaining('context deadline exceeded'),
    });
    const status = computeBackupStatus(failed, step);
    expect(status).toMatchObject({ consecutiveFailures: 1, phase: 'Pending' });
    expect(status.conditions?.find((c) => c.type === 'Succeeded')).toMatchObject({
      status: 'False',
      reason: 'SnapshotFailed',
    });
    const garbled = observe({
      status: { currentJob: 'j' },
      jobs: [{ name: 'j', state: 'Succeeded', result: { error: 'snapshot result is not JSON' } }],
    });
    expect(decideBackup(garbled)).toMatchObject({
      kind: 'RecordFailure',
      message: expect.stringContaining('not JSON'),
    });
  });

  it('never runs two snapshots at once', () => {
    const step = decideBackup(
      observe({ spec: { schedule: '@every 5s' }, jobs: [{ name: 'j', state: 'Active' }] }),
    );
    expect(step).toMatchObject({ kind: 'Wait', reason: 'SnapshotRunning' });
  });

  it('creates a Job again under the recorded name when the operator died before creating it', () => {
    const status = { currentJob: 'nightly-20261128-013000', lastScheduleTime: '2026-11-28T01:30:00Z' };
    expect(decideBackup(observe({ status, spec: { schedule: '*/30 * * * *' } }))).toMatchObject({
      kind: 'StartSnapshot',
      job: 'nightly-20261128-013000',
      scheduledTime: '2026-11-28T01:30:00.000Z',
    });
  });

  it('waits for the next scheduled time and reports it', () => {
    const obs = observe({
      spec: { schedule: '@every 1h' },
      status: { lastScheduleTime: '2026-11-28T01:30:00Z' },
    });
    const step = decideBackup(obs);
    expect(step).toEqual({
      kind: 'Wait',
      reason: 'Scheduled',
      message: 'next snapshot at 2026-11-28T02:30:00.000Z',
      requeueAfterMs: 30 * 60_000,
    });
    expect(computeBackupStatus(obs, step)).toMatchObject({
      phase: 'Scheduled',
      nextScheduleTime: '2026-11-28T02:30:00.000Z',
    });
  });

  it('takes a snapshot for the due scheduled time, named after it', () => {
    const obs = observe({
      spec: { schedule: '*/15 * * * *' },
      status: { lastScheduleTime: '2026-11-28T01:30:00Z' },
    });
    expect(decideBackup(obs)).toMatchObject({
      kind: 'StartSnapshot',
      job: snapshotJobName('nightly', new Date('2026-11-28T02:00:00Z')),
      scheduledTime: '2026-11-28T02:00:00.000Z',
    });
  });

  it('is done once a one-shot snapshot succeeded', () => {
    const obs = observe({ status: { lastSuccessTime: NOW.toISOString(), lastSnapshot: snap('x') } });
    const step = decideBackup(obs);
    expect(step).toEqual({ kind: 'Done' });
    expect(computeBackupStatus(obs, step).phase).toBe('Succeeded');
  });

  it('retries a failed one-shot snapshot with a growing delay, then gives up', () => {
    const first = observe({ status: { consecutiveFailures: 1, lastFailureTime: '2026-11-28T01:59:55Z' } });
    expect(decideBackup(first)).toMatchObject({ kind: 'Wait', reason: 'RetryBackoff', requeueAfterMs: 5000 });
    const second = observe({ status: { consecutiveFailures: 2, lastFailureTime: '2026-11-28T01:59:50Z' } });
    expect(decideBackup(second)).toMatchObject({
      kind: 'Wait',
      reason: 'RetryBackoff',
      requeueAfterMs: 10_000,
    });
    const later = observe({ status: { consecutiveFailures: 2, lastFailureTime: '2026-11-28T01:59:00Z' } });
    expect(decideBackup(later)).toMatchObject({ kind: 'StartSnapshot' });
    const last = observe({
      status: { consecutiveFailures: ONE_SHOT_ATTEMPTS, lastFailureTime: '2026-11-28T01:00:00Z' },
    });
    const step = decideBackup(last);
    expect(step).toEqual({ kind: 'Done' });
    expect(computeBackupStatus(last, step).phase).toBe('Failed');
  });

  it.each([
    [{ source: { found: false as const } }, 'SourceNotFound'],
    [{ source: { found: true as const, available: false, image: 'etcd:v3.6.16' } }, 'SourceUnavailable'],
  ])('waits and says why when a due snapshot cannot start (%#: %s)', (over, reason) => {
    const obs = observe(over);
    const step = decideBackup(obs);
    expect(step).toMatchObject({ kind: 'Wait', reason, requeueAfterMs: 10_000 });
    const status = computeBackupStatus(obs, step);
    expect(status.phase).toBe('Pending');
    expect(status.conditions?.find((c) => c.type === 'Succeeded')).toMatchObject({ status: 'False', reason });
  });

  it.each(['DestinationNotFound', 'SecretNotFound', 'SecretInvalid'] as const)(
    'fails the attempt when the destination is missing (%s), then backs off and gives up after the last attempt',
    (reason) => {
      const destination = { ready: false as const, reason, message: `${reason}: what is missing` };
      const obs = observe({ destination });
      const step = decideBackup(obs);
      expect(step).toEqual({
        kind: 'FailAttempt',
        reason,
        message: destination.message,
        scheduledTime: NOW.toISOString(),
      });
      const status = computeBackupStatus(obs, step);
      expect(status).toMatchObject({
        phase: 'Pending',
        consecutiveFailures: 1,
        lastFailureTime: NOW.toISOString(),
      });
      expect(status.conditions?.find((c) => c.type === 'Succeeded')).toMatchObject({
        status: 'False',
        reason,
        message: destination.message,
      });
      const soon = new Date(NOW.getTime() + 1000);
      expect(decideBackup(observe({ destination, status, now: soon }))).toMatchObject({
        kind: 'Wait',
        reason: 'RetryBackoff',
        requeueAfterMs: 9000,
      });
      const final = { ...status, consecutiveFailures: ONE_SHOT_ATTEMPTS - 1 };
      const lastStep = decideBackup(
        observe({ destination, status: final, now: new Date(NOW.getTime() + 3600_000) }),
      );
      expect(lastStep.kind).toBe('FailAttempt');
      const lastObs = observe({ destination, status: final, now: new Date(NOW.getTime() + 3600_000) });
      expect(computeBackupStatus(lastObs, lastStep).phase).toBe('Failed');
    },
  );

  it('backs off a scheduled backup after failures, beyond its schedule, up to a bound', () => {
    const spec = { schedule: '@every 5s' };
    const status = {
      lastScheduleTime: '2026-11-28T01:59:50Z',
      consecutiveFailures: 3,
      lastFailureTime: '2026-11-28T01:59:50Z',
    };
    expect(decideBackup(observe({ spec, status }))).toMatchObject({
      kind: 'Wait',
      reason: 'RetryBackoff',
      requeueAfterMs: 30_000,
    });
    expect(retryDelayMs(1)).toBe(10_000);
    expect(retryDelayMs(100)).toBe(300_000);
    const later = observe({ spec, status, now: new Date('2026-11-28T02:00:41Z') });
    expect(decideBackup(later)).toMatchObject({ kind: 'StartSnapshot' });
  });

  it('uploads an S3 snapshot under a key naming the cluster and the time, intent first', () => {
    const destination = { ready: true as const, kind: 's3' as const, folder: 'etcd/ns/nightly/' };
    const obs = observe({ destination, spec: { timeoutSeconds: 120 } });
    const step = decideBackup(obs);
    expect(step).toEqual({
      kind: 'UploadSnapshot',
      key: 'etcd/ns/nightly/main-20261128-020000.db',
      name: 'main-20261128-020000.db',
      folder: 'etcd/ns/nightly/',
      scheduledTime: NOW.toISOString(),
      member: 'main-bbbbb',
      endpoint: 'http://10.244.1.7:2379',
      timeoutSeconds: 120,
      maxBackups: 3,
    });
    const status = computeBackupStatus(obs, step);
    expect(status).toMatchObject({
      phase: 'Running',
      currentJob: 'etcd/ns/nightly/main-20261128-020000.db',
      lastScheduleTime: NOW.toISOString(),
    });
    const record = {
      ...snap('x'),
      name: 'main-20261128-020000.db',
      path: step.kind === 'UploadSnapshot' ? step.key : '',
    };
    const done = computeBackupStatus(
      { ...obs, previousStatus: status },
      { kind: 'RecordSuccess', job: 'k', snapshot: record },
    );
    expect(done.currentJob).toBeUndefined();
    expect(done).toMatchObject({ phase: 'Succeeded', lastSnapshot: record, consecutiveFailures: 0 });
  });

  describe('an S3 backup of a cluster with client TLS', () => {
    const destination = { ready: true as const, kind: 's3' as const, folder: 'etcd/ns/nightly/' };
    const material = { ca: 'CA', cert: 'CERT', key: 'KEY', serverName: 'main-client.ns.svc' };
    const member = (
      operatorTLS?: NonNullable<
        Extract<BackupObservation['source'], { found: true }>['member']
      >['operatorTLS'],
    ) => ({
      name: 'main-bbbbb',
      endpoint: 'https://10.244.1.7:2379',
      clientTLSSecret: 'main-tls-operator',
      ...(operatorTLS ? { operatorTLS } : {}),
    });
    const source = (m: ReturnType<typeof member>, available = true): BackupObservation['source'] => ({
      found: true,
      available,
      member: m,
      image: 'x',
    });

    it('uploads from the https endpoint the operator reaches, naming the client certificate, intent first', () => {
      const obs = observe({ destination, source: source(member({ ready: true, material })) });
      const step = decideBackup(obs);
      expect(step).toEqual({
        kind: 'UploadSnapshot',
        key: 'etcd/ns/nightly/main-20261128-020000.db',
        name: 'main-20261128-020000.db',
        folder: 'etcd/ns/nightly/',
        scheduledTime: NOW.toISOString(),
        member: 'main-bbbbb',
        endpoint: 'https://10.244.1.7:2379',
        clientTLSSecret: 'main-tls-operator',
        timeoutSeconds: 600,
        maxBackups: 3,
      });
      // The key material stays in the observation, never in the step (which Events and status describe).
      expect(JSON.stringify(step)).not.toContain('KEY');
      expect(computeBackupStatus(obs, step)).toMatchObject({
        phase: 'Running',
        currentJob: 'etcd/ns/nightly/main-20261128-020000.db',
      });
    });

    it('fails the attempt, naming the Secret, when a TLS Secret is missing or broken, and retries with backoff', () => {
      for (const reason of ['TLSSecretNotFound', 'TLSSecretInvalid'] as const) {
        const message = `client TLS of EtcdCluster main: Secret ns/main-tls-operator (spec.tls.client.operatorSecretName) ${reason === 'TLSSecretNotFound' ? 'not found' : 'has no tls.key'}`;
        const obs = observe({ destination, source: source(member({ ready: false, reason, message })) });
        const step = decideBackup(obs);
        expect(step).toEqual({ kind: 'FailAttempt', reason, message, scheduledTime: NOW.toISOString() });
        const status = computeBackupStatus(obs, step);
        expect(status.currentJob).toBeUndefined();
        expect(status).toMatchObject({
          phase: 'Pending',
          consecutiveFailures: 1,
          lastFailureTime: NOW.toISOString(),
        });
        expect(status.conditions?.find((c) => c.type === 'Succeeded')).toMatchObject({
          status: 'False',
          reason,
          message,
        });
        // The next attempt waits for the backoff, then tries again once the Secret is back.
        const soon = observe({ destination, status, now: new Date(NOW.getTime() + 5_000) });
        expect(decideBackup({ ...soon, source: obs.source })).toMatchObject({
          kind: 'Wait',
          reason: 'RetryBackoff',
        });
        const later = observe({ destination, status, now: new Date(NOW.getTime() + 11_000) });
        expect(decideBackup({ ...later, source: source(member({ ready: true, material })) })).toMatchObject({
          kind: 'UploadSnapshot',
          clientTLSSecret: 'main-tls-operator',
        });
      }
    });

    it('fails the attempt when the client certificate was not read at all', () => {
      const step = decideBackup(observe({ destination, source: source(member()) }));
      expect(step).toMatchObject({ kind: 'FailAttempt', reason: 'TLSSecretNotFound' });
      expect(step.kind === 'FailAttempt' && step.message).toContain('Secret main-tls-operator');
    });

    it('waits for a healthy quorum before it looks at the certificate', () => {
      const step = decideBackup(
        observe({
          destination,
          source: source(member({ ready: false, reason: 'TLSSecretNotFound', message: 'm' }), false),
        }),
      );
      expect(step).toMatchObject({ kind: 'Wait', reason: 'SourceUnavailable' });
    });

    it('gives a PVC snapshot Job the certificate Secret, never the operator material', () => {
      const m = {
        name: 'main-bbbbb',
        endpoint: 'https://main-bbbbb.main.ns.svc:2379',
        clientTLSSecret: 'main-tls-operator',
      };
      const step = decideBackup(observe({ source: source(m) }));
      expect(step).toMatchObject({
        kind: 'StartSnapshot',
        endpoint: 'https://main-bbbbb.main.ns.svc:2379',
        clientTLSSecret: 'main-tls-operator',
      });
    });
  });

  it('discards an upload that was recorded but never finished, counting a failed attempt', () => {
    const key = 'etcd/ns/nightly/main-20261128-015900.db';
    const destination = { ready: true as const, kind: 's3' as const, folder: 'etcd/ns/nightly/' };
    const obs = observe({
      destination,
      spec: { destination: { s3: { endpoint: 'http://s3', bucket: 'b', credentialsSecret: { name: 's' } } } },
      status: { currentJob: key, lastScheduleTime: '2026-11-28T01:59:00Z', phase: 'Running' },
    });
    const step = decideBackup(obs);
    expect(step).toMatchObject({
      kind: 'FailAttempt',
      reason: 'UploadInterrupted',
      abandonUpload: key,
      scheduledTime: '2026-11-28T01:59:00Z',
    });
    const status = computeBackupStatus(obs, step);
    expect(status.currentJob).toBeUndefined();
    expect(status).toMatchObject({ consecutiveFailures: 1, phase: 'Pending' });
  });

  it('reports a backup without any destination at once, without retrying', () => {
    const destination = {
      ready: false as const,
      reason: 'DestinationNotSupported' as const,
      message: 'spec.destination names no destination',
    };
    for (const spec of [{}, { schedule: '@daily' }]) {
      const obs = observe({ spec, destination });
      const step = decideBackup(obs);
      expect(step).toEqual({ kind: 'Wait', reason: 'DestinationNotSupported', message: destination.message });
      expect(computeBackupStatus(obs, step).phase).toBe('Failed');
    }
  });

  it('starts nothing while suspended, and reports an unparsable schedule', () => {
    expect(decideBackup(observe({ spec: { suspend: true } }))).toMatchObject({
      kind: 'Wait',
      reason: 'Suspended',
    });
    expect(decideBackup(observe({ spec: { schedule: '0 0 30 2 *' } }))).toMatchObject({
      kind: 'Wait',
      reason: 'InvalidSchedule',
      message: expect.stringContaining('spec.schedule'),
    });
  });

  it('names Jobs within the 63-character label limit', () => {
    expect(snapshotJobName('x'.repeat(80), NOW).length).toBeLessThanOrEqual(63);
  });
});

describe('a snapshot Job the API server refuses', () => {
  const message =
    'the API server refused an object rendered from the spec: jobs "nightly-x" is forbidden: exceeded quota';

  it('leaves the backup Pending, not Running, Succeeded False with the reason and message', () => {
    const obs = observe({});
    const step = decideBackup(obs);
    expect(step.kind).toBe('StartSnapshot');
    const status = refusedBackupStatus(computeBackupStatus(obs, step), 1, NOW, 'RefusedByAPIServer', message);
    expect(status.phase).toBe('Pending');
    for (const type of ['Succeeded', 'Running'])
      expect(status.conditions?.find((c) => c.type === type)).toMatchObject({
        status: 'False',
        reason: 'RefusedByAPIServer',
        message,
      });
  });

  it('keeps the refusal through the next attempt, until a snapshot is recorded', () => {
    const refused = refusedBackupStatus(
      computeBackupStatus(observe({}), decideBackup(observe({}))),
      1,
      NOW,
      'RefusedByAPIServer',
      message,
    );
    const again = observe({ status: refused });
    const retry = decideBackup(again);
    expect(retry.kind).toBe('StartSnapshot');
    expect(computeBackupStatus(again, retry).conditions?.find((c) => c.type === 'Succeeded')).toMatchObject({
      reason: 'RefusedByAPIServer',
    });
  });
});
