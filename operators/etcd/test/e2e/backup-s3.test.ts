// S3 backups on the real node: a real S3-compatible server (SeaweedFS, from
// @switchboard/testing), the backup controller in this process (it streams
// the snapshot from a member Pod through etcd's gateway and uploads it),
// checked the way a user would: EtcdBackup status, Events, the objects in the
// bucket and what they hold. And a restore from S3, whose seed Pod downloads
// the object itself: the server then listens on the host's address on the
// cluster's link (where the API server listens), which Pods reach, and the
// Pod runs the operator image built from this checkout (toolbox-image.ts).
// The same download seeds a cluster whose every member lost its data when its
// newest backup is in S3 (disaster recovery, `recovery: auto`).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { jest } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Client, ObjectKey, ResourceClient } from '@switchboard/core';
import {
  cacheDir,
  createTestNamespace,
  eventually,
  freePort,
  startObjectStore,
  testKubeConfig,
  whyNoNode,
} from '@switchboard/testing';
import type { ObjectStore, TestNamespace } from '@switchboard/testing';

import type { EtcdBackup, EtcdBackupS3Destination, EtcdBackupSpec } from '../../src/api/backup-types.js';
import { ETCD_BACKUP_KIND } from '../../src/api/backup-types.js';
import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import { RESTORE_REVISION_BUMP } from '../../src/runbook/restore.js';
import type { EtcdBackupRecoveryStatus, EtcdCluster, EtcdClusterSpec } from '../../src/api/types.js';
import { isS3SnapshotKey, s3BackupFolder } from '../../src/backup/s3-keys.js';
import type { EtcdClientFactory } from '../../src/etcd/etcd-client.js';
import { GatewayEtcdClient } from '../../src/etcd/gateway-client.js';
import { listKeys } from '../../src/s3/s3-store.js';
import {
  LARGE_KEYSPACE,
  expectKeysOnEveryMember,
  memberClients,
  memberList,
  memberPods,
  readCluster,
  readPrefix,
  waitHealthy,
  writeKeys,
  writeLargeKeyspace,
} from '../support/etcd-cluster-probe.js';
import { installEtcdCrd } from '../support/install-crd.js';
import { loseMembersWithData } from '../support/member-loss.js';
import {
  createSourceCluster,
  startBackupController,
  waitBackup as waitBackupIn,
} from '../support/backup-harness.js';
import { runOperator } from '../support/run-operator.js';
import type { RunningOperator } from '../support/run-operator.js';
import { buildToolboxImage } from '../support/toolbox-image.js';

const skipReason = await whyNoNode();
if (skipReason) process.stderr.write(`etcd S3 backup e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;

/**
 * The host's address Pods reach (the API server's, on the cluster's link),
 * or why a restore from S3 cannot be tested: the object store must listen
 * where the seed Pod can download from.
 */
function podReachableHost(kc: KubeConfig): { host: string } | { why: string } {
  const server = kc.getCurrentCluster()?.server;
  const host = server ? new URL(server).hostname : undefined;
  if (!host) return { why: 'the kubeconfig names no API server' };
  const local = Object.values(networkInterfaces())
    .flat()
    .some((a) => a?.address === host);
  if (!local || host.startsWith('127.'))
    return {
      why: `the API server's address ${host} is not a non-loopback address of this host, so no object store can be bound where Pods reach it`,
    };
  return { host };
}
// One retry, with the first failure logged (see member-faults.test.ts for why).
jest.retryTimes(1, { logErrorsBeforeRetry: true });
const V36 = '3.6.16';
const KEYS = 1000;
const VALUE = 'x'.repeat(1024);
const BUCKET = 'etcd-backups';
const PREFIX = 'switchboard/e2e';
/** spec.recoveryDelaySeconds of the disaster recovery case (the API's minimum). */
const DELAY_SECONDS = 10;

interface EventLike {
  metadata: object;
  type?: string;
  reason?: string;
  note?: string;
  regarding?: { name?: string };
}

describeE2E('etcd backups to S3 on a real node', () => {
  const kc: KubeConfig = skipReason ? undefined! : testKubeConfig();
  let client: Client;
  let ns: TestNamespace;
  let operator: RunningOperator;
  let backupManager: { stop(): Promise<void> } | undefined;
  let backups: ResourceClient<EtcdBackup>;
  let clusters: ResourceClient<EtcdCluster>;
  let source: ObjectKey;
  let store: ObjectStore;
  let s3: S3Client;
  /** Why the restore from S3 is not tested here, if it is not. */
  let noRestore: string | undefined;
  /** The operator image seed Pods download with (built from this checkout), when there is one. */
  let toolboxImage: string | undefined;
  let attempt = 0;
  /** A name of this attempt: a retried test must not meet the objects of its first run. */
  const n = (base: string): string => `${base}-${attempt}`;
  beforeEach(() => {
    attempt++;
  });

  function destination(over: Partial<EtcdBackupS3Destination> = {}): EtcdBackupS3Destination {
    return {
      endpoint: store.endpoint,
      bucket: BUCKET,
      prefix: PREFIX,
      credentialsSecret: { name: 's3-credentials' },
      ...over,
    };
  }

  function backup(name: string, spec: Partial<EtcdBackupSpec>): EtcdBackup {
    return {
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_BACKUP_KIND,
      metadata: { name, namespace: ns.name },
      spec: { clusterName: source.name, destination: { s3: destination() }, ...spec },
    };
  }

  /** Creates the 3-member EtcdCluster `name` of version V36 with `spec`; returns its key. */
  async function createCluster(name: string, spec: Partial<EtcdClusterSpec>): Promise<ObjectKey> {
    await clusters.create({
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_CLUSTER_KIND,
      metadata: { name, namespace: ns.name },
      spec: { size: 3, version: V36, ...spec } as EtcdClusterSpec,
    });
    return { namespace: ns.name, name };
  }

  const waitBackup = (name: string, check: (b: EtcdBackup) => void, timeout?: number): Promise<EtcdBackup> =>
    waitBackupIn(backups, ns.name, name, check, timeout);

  async function eventsOf(name: string): Promise<EventLike[]> {
    const events = await client
      .resource<EventLike>({ apiVersion: 'events.k8s.io/v1', kind: 'Event' })
      .list({ namespace: ns.name });
    return events.items.filter((e) => e.regarding?.name === name);
  }

  async function secret(name: string, accessKeyID: string, secretAccessKey: string): Promise<void> {
    await client.resource({ apiVersion: 'v1', kind: 'Secret' }).create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: ns.name },
      stringData: { accessKeyID, secretAccessKey },
    } as never);
  }

  async function download(key: string): Promise<Buffer> {
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await got.Body!.transformToByteArray());
  }

  const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

  beforeAll(async () => {
    const reach = podReachableHost(kc);
    noRestore = 'why' in reach ? reach.why : undefined;
    if (noRestore === undefined) {
      const started = Date.now();
      try {
        toolboxImage = await buildToolboxImage();
        process.stderr.write(
          `operator image for the S3 restore: ${toolboxImage} (${((Date.now() - started) / 1000).toFixed(1)} s to compile and build)\n`,
        );
      } catch (err) {
        noRestore = `the operator image could not be built: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    if (noRestore) process.stderr.write(`S3 restore test skipped: ${noRestore}\n`);
    store = await startObjectStore({
      buckets: [BUCKET],
      ...('host' in reach ? { host: reach.host } : {}),
    });
    s3 = store.client();
    client = await installEtcdCrd(kc);
    // A seed restored from S3 (the fetch-snapshot and restore init containers) meets restricted too.
    ns = await createTestNamespace(kc, 'etcd-backup-s3', { podSecurity: 'restricted' });
    backups = client.resource<EtcdBackup>({ apiVersion: ETCD_API_VERSION, kind: ETCD_BACKUP_KIND });
    clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
    await secret('s3-credentials', store.accessKeyId, store.secretAccessKey);
    await secret('wrong-credentials', store.accessKeyId, 'not-the-secret');
    operator = await runOperator(kc, ns.name, undefined, toolboxImage ? { toolboxImage } : {});
    backupManager = await startBackupController(kc, ns.name);
    source = { namespace: ns.name, name: 'source' };
    await createSourceCluster(client, source, 3, V36);
    const [writer] = await memberClients(client, source);
    for (let i = 0; i < KEYS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, KEYS - i) }, (_, j) =>
          writer!.put(`/data/${String(i + j).padStart(5, '0')}`, `${i + j}:${VALUE}`),
        ),
      );
    }
  }, 300_000);

  afterAll(async () => {
    await backupManager?.stop();
    await operator?.stop();
    await ns?.delete();
    s3?.destroy();
    await store?.stop();
  });

  it('uploads a one-shot snapshot of a 3-member cluster: object, sha256 and metadata agree with status', async () => {
    const [writer] = await memberClients(client, source);
    const revisionBefore = (await writer!.status()).revision ?? 0;
    const started = Date.now();
    await backups.create(backup(n('once'), {}));
    const done = await waitBackup(n('once'), (b) => expect(b.status?.phase).toBe('Succeeded'));
    const snap = done.status?.lastSnapshot;
    process.stderr.write(
      `S3 backup of ${KEYS} keys (1 KiB values), 3 members: ${((Date.now() - started) / 1000).toFixed(1)} s from create to Succeeded, ${snap?.size} bytes\n`,
    );
    const folder = s3BackupFolder(PREFIX, ns.name, n('once'));
    expect(snap).toMatchObject({
      etcdVersion: V36,
      path: expect.stringMatching(new RegExp(`^${folder}source-\\d{8}-\\d{6}\\.db$`)),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(snap?.revision).toBeGreaterThanOrEqual(revisionBefore);
    expect(snap?.size).toBeGreaterThan(KEYS * 1024);
    expect(done.status?.snapshots).toEqual([snap]);
    expect(done.status?.currentJob).toBeUndefined();
    expect(done.status?.conditions?.find((c) => c.type === 'Succeeded')).toMatchObject({
      status: 'True',
      reason: 'SnapshotVerified',
    });

    const body = await download(snap!.path);
    expect(body.length).toBe(snap?.size);
    expect(sha256(body)).toBe(snap?.sha256);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: snap!.path }));
    expect(head.Metadata).toMatchObject({ sha256: snap?.sha256, 'etcd-version': V36, cluster: 'source' });
    expect(await listKeys(s3, BUCKET, folder)).toEqual([snap!.path]);

    // etcd's own tool reads it as a complete snapshot holding every key.
    const etcdutl = join(cacheDir(), 'etcd', `v${V36}`, 'bin', 'etcdutl');
    if (existsSync(etcdutl)) {
      const dir = mkdtempSync(join(tmpdir(), 's3-snapshot-'));
      try {
        writeFileSync(join(dir, 'snap.db'), body);
        const status = JSON.parse(
          execFileSync(etcdutl, ['snapshot', 'status', join(dir, 'snap.db'), '-w', 'json'], {
            encoding: 'utf8',
          }),
        ) as { revision: number; totalKey: number };
        expect(status.totalKey).toBeGreaterThanOrEqual(KEYS);
        expect(status.revision).toBeGreaterThanOrEqual(snap!.revision);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    expect((await eventsOf(n('once'))).some((e) => e.reason === 'SnapshotSucceeded')).toBe(true);
  });

  it('restores an S3 backup into a new cluster that grows to 3 members: keys before the backup there, keys after not', async () => {
    if (noRestore) {
      process.stderr.write(`skipping the S3 restore: ${noRestore}\n`);
      return;
    }
    const [writer] = await memberClients(client, source);
    const before = n('/restore-before/');
    const after = n('/restore-after/');
    for (let i = 0; i < 100; i++) await writer!.put(`${before}${String(i).padStart(3, '0')}`, `b${i}`);
    await backups.create(backup(n('for-restore'), {}));
    const done = await waitBackup(n('for-restore'), (b) => expect(b.status?.phase).toBe('Succeeded'));
    const snap = done.status!.lastSnapshot!;
    // Written after the backup: must not be in the restored cluster.
    for (let i = 0; i < 20; i++) await writer!.put(`${after}${String(i).padStart(3, '0')}`, `a${i}`);

    const started = Date.now();
    const copy = await createCluster(n('restored'), {
      bootstrap: { restore: { backupName: n('for-restore') } },
    });
    const members = await waitHealthy(client, copy, 3, V36, 240_000);
    process.stderr.write(
      `restore from S3 (${snap.size} bytes snapshot) to 3 healthy members: ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    expect(members).toHaveLength(3);
    const restored = await clusters.get(copy);
    expect(restored.status?.clusterID).not.toBe((await clusters.get(source)).status?.clusterID);

    for (const c of await memberClients(client, copy)) {
      const kept = await readPrefix(c.endpoint, before);
      expect(kept.size).toBe(100);
      for (let i = 0; i < 100; i++) expect(kept.get(`${before}${String(i).padStart(3, '0')}`)).toBe(`b${i}`);
      expect((await readPrefix(c.endpoint, after)).size).toBe(0);
      expect((await readPrefix(c.endpoint, '/data/')).size).toBe(KEYS);
      expect((await c.status()).revision ?? 0).toBeGreaterThanOrEqual(snap.revision + RESTORE_REVISION_BUMP);
    }
    // Only the seed downloaded and restored; the others joined as learners. No credential in any Pod spec.
    const pods = await memberPods(client, copy);
    const seeds = pods.filter((p) => p.spec.initContainers?.some((c) => c.name === 'fetch-snapshot'));
    expect(seeds).toHaveLength(1);
    const spec = JSON.stringify(pods.map((p) => p.spec));
    expect(spec).not.toContain(store.secretAccessKey);
    expect(spec).not.toContain(store.accessKeyId);
  }, 600_000);

  it('reports a seed that cannot download its snapshot (the object deleted) as Degraded, with a Warning Event', async () => {
    if (noRestore) {
      process.stderr.write(`skipping the failing S3 restore: ${noRestore}\n`);
      return;
    }
    await backups.create(backup(n('deleted'), {}));
    const done = await waitBackup(n('deleted'), (b) => expect(b.status?.phase).toBe('Succeeded'));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: done.status!.lastSnapshot!.path }));

    const copy = await createCluster(n('unrestorable'), {
      size: 1,
      bootstrap: { restore: { backupName: n('deleted') } },
    });
    const degraded = await eventually(
      async () => {
        const c = await clusters.get(copy);
        const condition = c.status?.conditions?.find((x) => x.type === 'Degraded');
        expect(condition).toMatchObject({ status: 'True', reason: 'SeedRestoreFailing' });
        return condition!;
      },
      { timeout: 180_000, interval: 1000, message: 'Degraded SeedRestoreFailing' },
    );
    expect(degraded.message).toContain('init container fetch-snapshot exited');
    await eventually(async () =>
      expect((await eventsOf(copy.name)).map((e) => `${e.type} ${e.reason}`)).toContain(
        'Warning SeedRestoreFailing',
      ),
    );
    // Nothing else was created: the seed alone, still retrying.
    expect((await memberPods(client, copy)).length).toBe(1);
  }, 300_000);

  it('rebuilds a 3-member cluster whose every member lost its data from its newest backup, in S3: keys before it there, keys after not', async () => {
    if (noRestore) {
      process.stderr.write(`skipping the disaster recovery from S3: ${noRestore}\n`);
      return;
    }
    const key = await createCluster(n('lost'), { recovery: 'auto', recoveryDelaySeconds: DELAY_SECONDS });
    await waitHealthy(client, key, 3, V36, 180_000);
    const oldClusterID = (await readCluster(client, key)).status?.clusterID;
    const before = await writeKeys(client, key, '/dr-before/', 50);
    await backups.create(backup(n('dr'), { clusterName: key.name }));
    const done = await waitBackup(n('dr'), (b) => expect(b.status?.phase).toBe('Succeeded'));
    const snap = done.status!.lastSnapshot!;
    await writeKeys(client, key, '/dr-after/', 20);

    // Every member's Pod and PVC deleted, the operator down meanwhile (nothing restarts half of them).
    await operator.stop();
    const killedAt = Date.now();
    const victims = (await memberPods(client, key)).map((p) => p.metadata.name ?? '');
    expect(victims).toHaveLength(3);
    await loseMembersWithData(client, key, victims);
    operator = await runOperator(kc, ns.name, undefined, toolboxImage ? { toolboxImage } : {});

    // The choice, with where the object is, is on record before anything is created.
    const chosen = await eventually(
      async () => {
        const recovery = (await readCluster(client, key)).status?.recovery;
        expect(recovery).toMatchObject({
          source: 'Backup',
          backupName: n('dr'),
          path: snap.path,
          sha256: snap.sha256,
          revision: snap.revision,
          s3: { endpoint: store.endpoint, bucket: BUCKET, credentialsSecret: 's3-credentials' },
        });
        return recovery as EtcdBackupRecoveryStatus;
      },
      {
        timeout: DELAY_SECONDS * 1000 + 60_000,
        interval: 500,
        message: 'recovery from the S3 backup on record',
      },
    );
    const recordedAt = Date.now();
    expect(chosen).not.toHaveProperty('claimName');
    expect(chosen.previousClusterID).toBe(oldClusterID);

    const members = await waitHealthy(client, key, 3, V36, 300_000);
    const availableAt = Date.now();
    process.stderr.write(
      `disaster recovery from S3 (all 3 members lost with their data, bound ${DELAY_SECONDS} s, ${snap.size} bytes snapshot): kill to Available with 3 members ${((availableAt - killedAt) / 1000).toFixed(1)} s; choice recorded ${((recordedAt - killedAt) / 1000).toFixed(1)} s after the kill; record to Available ${((availableAt - recordedAt) / 1000).toFixed(1)} s\n`,
    );

    // A new cluster grown from the seed, which alone downloaded the object; the record is gone.
    expect(members.map((m) => m.name)).toContain(chosen.seed);
    expect(members.every((m) => !victims.includes(m.name))).toBe(true);
    const recovered = await readCluster(client, key);
    expect(recovered.status?.recovery).toBeUndefined();
    expect(recovered.status?.clusterID).toBeDefined();
    expect(recovered.status?.clusterID).not.toBe(oldClusterID);
    const pods = await memberPods(client, key);
    const seeds = pods.filter((p) => p.spec.initContainers?.some((c) => c.name === 'fetch-snapshot'));
    expect(seeds.map((p) => p.metadata.name)).toEqual([chosen.seed]);
    const spec = JSON.stringify(pods.map((p) => p.spec));
    expect(spec).not.toContain(store.secretAccessKey);

    await expectKeysOnEveryMember(client, key, before);
    for (const c of await memberClients(client, key)) {
      expect((await readPrefix(c.endpoint, '/dr-after/')).size).toBe(0);
      expect((await c.status()).revision ?? 0).toBeGreaterThanOrEqual(snap.revision + RESTORE_REVISION_BUMP);
    }
    // The loss was announced, naming the bucket.
    const announced = await eventually(async () => {
      const event = (await eventsOf(key.name)).find((e) => e.reason === 'StartBackupRecovery');
      expect(event).toMatchObject({ type: 'Warning' });
      return event;
    });
    expect(announced?.note).toContain(`S3 bucket ${BUCKET}`);
    expect(announced?.note).toContain(`data written after revision ${snap.revision} is lost`);
    // Its 3 members no longer load the node for the tests after this one.
    await clusters.delete(key);
  }, 600_000);

  it('keeps exactly maxBackups objects while a schedule takes a snapshot every 5 s', async () => {
    await backups.create(backup(n('every'), { schedule: '@every 5s', maxBackups: 2 }));
    const folder = s3BackupFolder(PREFIX, ns.name, n('every'));
    // Four snapshots taken (two beyond maxBackups), so retention has had to delete.
    await eventually(
      async () => {
        const ok = (await eventsOf(n('every'))).filter((e) => e.reason === 'SnapshotSucceeded');
        expect(ok.length).toBeGreaterThanOrEqual(4);
      },
      { timeout: 120_000, interval: 2000, message: 'four scheduled S3 snapshots' },
    );
    await backups.patch(
      { namespace: ns.name, name: n('every') },
      { type: 'merge', body: { spec: { suspend: true } } },
    );
    const b = await waitBackup(n('every'), (x) => {
      expect(x.status?.phase).toBe('Suspended');
      expect(x.status?.currentJob).toBeUndefined();
    });
    const kept = b.status?.snapshots ?? [];
    expect(kept).toHaveLength(2);
    const keys = await eventually(async () => {
      const listed = await listKeys(s3, BUCKET, folder);
      expect(listed).toHaveLength(2);
      return listed;
    });
    expect(keys.every((k) => isS3SnapshotKey(k, folder, 'source'))).toBe(true);
    expect(keys.sort()).toEqual(kept.map((s) => s.path).sort());
    for (const s of kept) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: s.path }));
      expect(head.Metadata?.sha256).toBe(s.sha256);
    }
    expect((await eventsOf(n('every'))).some((e) => e.reason === 'SnapshotsPruned')).toBe(true);
  });

  // About a minute of writes on the 2-core machine, so only on request: ETCD_E2E_LARGE=1.
  (process.env.ETCD_E2E_LARGE ? it : it.skip)(
    'uploads a snapshot of a ~100 MB keyspace whose object matches its sha256, and restores it into 3 members',
    async () => {
      await writeLargeKeyspace(client, source);
      const big = LARGE_KEYSPACE.value;
      const started = Date.now();
      await backups.create(backup(n('large'), { timeoutSeconds: 600 }));
      const done = await waitBackup(n('large'), (b) => expect(b.status?.phase).toBe('Succeeded'), 600_000);
      const snap = done.status!.lastSnapshot!;
      process.stderr.write(
        `S3 backup of a ${(snap.size / 1e6).toFixed(1)} MB snapshot (72,000 more keys), 3 members: ${((Date.now() - started) / 1000).toFixed(1)} s from create to Succeeded\n`,
      );
      expect(snap.size).toBeGreaterThan(90e6);
      expect(sha256(await download(snap.path))).toBe(snap.sha256);

      if (noRestore) {
        process.stderr.write(`skipping the restore of the large snapshot: ${noRestore}\n`);
        return;
      }
      const copy = { namespace: ns.name, name: n('large-copy') };
      const restoreStarted = Date.now();
      await clusters.create({
        apiVersion: ETCD_API_VERSION,
        kind: ETCD_CLUSTER_KIND,
        metadata: { name: copy.name, namespace: ns.name },
        spec: {
          size: 3,
          version: V36,
          bootstrap: { restore: { backupName: n('large') } },
        } as EtcdClusterSpec,
      });
      await waitHealthy(client, copy, 3, V36, 900_000);
      process.stderr.write(
        `restore of the ${(snap.size / 1e6).toFixed(1)} MB S3 snapshot to 3 healthy members: ${((Date.now() - restoreStarted) / 1000).toFixed(1)} s\n`,
      );
      for (const c of await memberClients(client, copy)) {
        expect(await c.get('/big/000000')).toBe(big);
        expect(await c.get('/big/071999')).toBe(big);
        expect((await c.status()).revision ?? 0).toBeGreaterThanOrEqual(
          snap.revision + RESTORE_REVISION_BUMP,
        );
      }
    },
    1_800_000,
  );

  it('fails attempts on a wrong endpoint, wrong credentials, a missing bucket or Secret, with a reason and an Event, and backs off', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const cases: [string, EtcdBackupS3Destination, string][] = [
      ['unreachable', destination({ endpoint: nowhere }), 'DestinationUnreachable'],
      ['denied', destination({ credentialsSecret: { name: 'wrong-credentials' } }), 'AccessDenied'],
      ['no-bucket', destination({ bucket: 'no-such-bucket' }), 'BucketNotFound'],
      ['no-secret', destination({ credentialsSecret: { name: 'missing' } }), 'SecretNotFound'],
    ];
    const membersBefore = (await memberList(client, source)).map((m) => m.id).sort();
    for (const [name, dest] of cases) await backups.create(backup(n(name), { destination: { s3: dest } }));
    for (const [base, , reason] of cases) {
      const name = n(base);
      const b = await waitBackup(name, (x) => {
        expect(x.status?.conditions?.find((c) => c.type === 'Succeeded')).toMatchObject({
          status: 'False',
          reason,
        });
        expect(x.status?.consecutiveFailures).toBeGreaterThanOrEqual(1);
      });
      process.stderr.write(
        `S3 failure ${name}: ${b.status?.conditions?.find((c) => c.type === 'Succeeded')?.message}\n`,
      );
      expect(b.status?.lastSnapshot).toBeUndefined();
      expect(b.status?.currentJob).toBeUndefined();
      await eventually(async () => {
        const events = await eventsOf(name);
        expect(events.some((e) => e.reason === reason && e.type === 'Warning')).toBe(true);
      });
    }
    // The second attempt waits for the backoff (10 s after the first), and is retried.
    const retried = await waitBackup(
      n('denied'),
      (x) => expect(x.status?.consecutiveFailures).toBeGreaterThanOrEqual(2),
      60_000,
    );
    expect(retried.status?.phase).not.toBe('Succeeded');
    // The cluster was never touched: same members, healthy, every key there.
    await waitHealthy(client, source, 3, V36, 60_000);
    expect((await memberList(client, source)).map((m) => m.id).sort()).toEqual(membersBefore);
    const [reader] = await memberClients(client, source);
    expect(await reader!.get('/data/00999')).toBe(`999:${VALUE}`);
    for (const [base] of cases)
      await backups.patch(
        { namespace: ns.name, name: n(base) },
        { type: 'merge', body: { spec: { suspend: true } } },
      );
  });

  it('discards an upload cut off by an operator restart and takes the snapshot again, never counting the half', async () => {
    // The controller stalls every snapshot stream after its first chunk, until it is stopped.
    await backupManager?.stop();
    let stalled = 0;
    const stalling: EtcdClientFactory = (endpoint) => {
      const real = new GatewayEtcdClient(endpoint);
      return Object.assign(Object.create(real) as GatewayEtcdClient, {
        async *snapshot(opts: { signal?: AbortSignal } = {}) {
          for await (const chunk of real.snapshot(opts)) {
            yield chunk;
            stalled++;
            await new Promise<void>((_, reject) => {
              const fail = (): void => reject(new Error('stream stopped'));
              if (opts.signal?.aborted) fail();
              opts.signal?.addEventListener('abort', fail, { once: true });
            });
          }
        },
      });
    };
    backupManager = await startBackupController(kc, ns.name, { etcdClient: stalling });
    await backups.create(backup(n('interrupted'), { timeoutSeconds: 120 }));
    const running = await waitBackup(n('interrupted'), (x) => expect(x.status?.currentJob).toBeDefined());
    await eventually(() => expect(stalled).toBeGreaterThan(0));
    await backupManager.stop();
    backupManager = await startBackupController(kc, ns.name);
    const done = await waitBackup(
      n('interrupted'),
      (x) => expect(x.status?.phase).toBe('Succeeded'),
      120_000,
    );
    const events = await eventsOf(n('interrupted'));
    expect(events.some((e) => e.type === 'Warning' && e.reason === 'UploadInterrupted')).toBe(true);
    const folder = s3BackupFolder(PREFIX, ns.name, n('interrupted'));
    const listed = await listKeys(s3, BUCKET, folder);
    expect(listed).toEqual([done.status!.lastSnapshot!.path]);
    expect(listed).not.toContain(`${running.status!.currentJob}.part`);
    expect(sha256(await download(listed[0]!))).toBe(done.status?.lastSnapshot?.sha256);
  });
});
