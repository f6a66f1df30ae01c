// An etcd cluster with TLS on the local cluster's real node: generated
// certificates, members that accept only clients with a certificate of the
// cluster's CA, and a server certificate rotated by a Secret update while a
// client keeps writing and reading, with no member restart; backups of a TLS
// cluster to a PVC (a Job) and to S3 (the operator streams the snapshot,
// presenting its own client certificate).
import { createHash } from 'node:crypto';
import { connect } from 'node:tls';

import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';

import { jest } from '@jest/globals';
import type { Client, ObjectKey } from '@switchboard/core';
import {
  createTestNamespace,
  eventually,
  startObjectStore,
  testKubeConfig,
  whyNoNode,
} from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../../src/api/types.js';
import type { EtcdBackup } from '../../src/api/backup-types.js';
import { ETCD_BACKUP_KIND } from '../../src/api/backup-types.js';
import { EtcdRequestError } from '../../src/etcd/etcd-client.js';
import type { EtcdTLSMaterial } from '../../src/etcd/etcd-client.js';
import { GatewayEtcdClient } from '../../src/etcd/gateway-client.js';
import type { PersistentVolumeClaim, Pod, Secret } from '../../src/kube/kube-types.js';
import { PvcType, SecretType } from '../../src/kube/kube-types.js';
import { certificateFacts, generateCA, issueCertificate } from '../../src/tls/certificates.js';
import type { KeyPair } from '../../src/tls/certificates.js';
import { generatedSecretNames, memberDNSNames } from '../../src/tls/cluster-tls.js';
import { s3BackupFolder } from '../../src/backup/s3-keys.js';
import { installEtcdCrd } from '../support/install-crd.js';
import { describeClusterState, memberPods, readCluster } from '../support/etcd-cluster-probe.js';
import { runBackupController, runOperator } from '../support/run-operator.js';
import type { RunningOperator } from '../support/run-operator.js';

const skipReason = await whyNoNode();
if (skipReason) process.stderr.write(`etcd operator TLS e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
// One retry, with the first failure logged, as in the other e2e suites (a
// loaded 2-core machine has stalled the local cluster's DNS for minutes).
jest.retryTimes(1, { logErrorsBeforeRetry: true });

const STORAGE: EtcdClusterSpec['storage'] =
  process.env.ETCD_E2E_STORAGE === 'Ephemeral'
    ? { type: 'Ephemeral' }
    : { type: 'PersistentVolume', size: '256Mi' };
const V36 = '3.6.16';

const text = (b64: string | undefined): string => Buffer.from(b64 ?? '', 'base64').toString('utf8');
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** The certificate a member serves on its client port: its serial number (hex), or the handshake's error. */
function servedSerial(ip: string, servername: string, tls: EtcdTLSMaterial): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: ip,
      port: 2379,
      servername,
      ca: tls.ca,
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      timeout: 3000,
    });
    socket.once('secureConnect', () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.destroy();
      resolve(serial);
    });
    socket.once('timeout', () => socket.destroy(new Error(`TLS handshake with ${ip} timed out`)));
    socket.once('error', reject);
  });
}

describeE2E('etcd operator with TLS on a real node', () => {
  const kc = skipReason ? undefined! : testKubeConfig();
  let client: Client;
  let ns: TestNamespace;
  let operator: RunningOperator | undefined;
  const opened: GatewayEtcdClient[] = [];

  beforeEach(async () => {
    // Applied before each attempt: on a shared test cluster another branch's
    // suite may have applied a CRD without spec.tls in between (see waitAvailable).
    client = await installEtcdCrd(kc);
    // Members read their certificate Secrets as a non-root user: the namespace enforces restricted.
    ns = await createTestNamespace(kc, 'etcd-tls', { podSecurity: 'restricted' });
    operator = await runOperator(kc, ns.name);
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
    await operator?.stop();
    await ns.delete();
  });

  async function secret(name: string): Promise<Secret> {
    return client.resource<Secret>(SecretType).get({ namespace: ns.name, name });
  }

  async function tlsFiles(name: string): Promise<{ ca: string; cert: string; key: string }> {
    const s = await secret(name);
    return { ca: text(s.data?.['ca.crt']), cert: text(s.data?.['tls.crt']), key: text(s.data?.['tls.key']) };
  }

  /** A client of one member by Pod IP, checking its certificate against the member's DNS name. */
  function memberClient(key: ObjectKey, pod: Pod, tls: EtcdTLSMaterial | undefined, scheme = 'https') {
    const c = new GatewayEtcdClient(`${scheme}://${pod.status?.podIP}:2379`, {
      timeoutMs: 3000,
      ...(tls
        ? { tls: { ...tls, serverName: `${pod.metadata.name}.${key.name}.${key.namespace}.svc` } }
        : {}),
    });
    opened.push(c);
    return c;
  }

  /** Creates a TLS EtcdCluster of `size` members. */
  async function createCluster(key: ObjectKey, size: number, tls: EtcdClusterSpec['tls']): Promise<void> {
    await client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND }).create({
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_CLUSTER_KIND,
      metadata: { name: key.name, namespace: key.namespace ?? ns.name },
      spec: { size, version: V36, storage: STORAGE, ...(tls ? { tls } : {}) },
    });
  }

  async function waitAvailable(key: ObjectKey, size: number, timeout: number): Promise<void> {
    const pruned = new AbortController();
    await eventually(
      async () => {
        const cluster = await readCluster(client, key);
        // A CRD whose schema lacks spec.tls prunes it on read, and the next status write drops it for good.
        if (cluster.spec.tls === undefined) {
          const err = new Error(
            "spec.tls is gone: a CRD without spec.tls was applied during the test (another branch's suite on a shared cluster?)",
          );
          pruned.abort(err);
          throw err;
        }
        const status = cluster.status;
        const available = status?.conditions?.find((c) => c.type === 'Available');
        if (available?.status !== 'True' || status?.readyMembers !== size)
          throw new Error(`status: ${JSON.stringify(status)}`);
      },
      {
        timeout,
        interval: 1000,
        message: `${key.name} Available with ${size} members`,
        signal: pruned.signal,
      },
    ).catch(async (err: unknown) => {
      if (err instanceof Error) err.message += `\n${await describeClusterState(key)}`;
      throw err;
    });
  }

  it('serves only TLS clients with valid certificates, and rotating the server certificate keeps it available', async () => {
    const key = { namespace: ns.name, name: 'secure' };
    const started = Date.now();
    await createCluster(key, 3, { client: { generate: true }, peer: { generate: true } });
    await waitAvailable(key, 3, 240_000);
    process.stderr.write(
      `time to Available (size 3, client and peer TLS): ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );

    const names = generatedSecretNames(key.name);
    const operatorTLS = await tlsFiles(names.operator);
    const caSecret = await secret(names.ca);
    expect(caSecret.metadata.ownerReferences?.[0]).toMatchObject({ kind: ETCD_CLUSTER_KIND, name: key.name });
    const pods = await memberPods(client, key);
    expect(pods).toHaveLength(3);

    // The operator's client certificate works on every member (retried: a
    // request can time out on a loaded machine; a refused certificate never
    // turns into a success).
    for (const pod of pods) {
      const c = memberClient(key, pod, operatorTLS);
      await eventually(
        async () => {
          expect(await c.health()).toBe(true);
          expect((await c.memberList({ linearizable: true })).members).toHaveLength(3);
        },
        {
          timeout: 30_000,
          interval: 1000,
          message: `${pod.metadata.name} answers the operator's certificate`,
        },
      );
    }
    const first = pods[0]!;
    await memberClient(key, first, operatorTLS).put('/tls/hello', 'world');
    expect(await memberClient(key, pods[1]!, operatorTLS).get('/tls/hello')).toBe('world');

    // Plain http, https without a certificate and a certificate of another CA are all refused.
    const plain = await memberClient(key, first, undefined, 'http')
      .get('/tls/hello')
      .catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(EtcdRequestError);
    const noCert = await memberClient(key, first, { ca: operatorTLS.ca })
      .get('/tls/hello')
      .catch((e: unknown) => e);
    expect(noCert).toMatchObject({ reason: 'TLSFailed' });
    const otherCA = await generateCA('another CA');
    const stranger = await issueCertificate(otherCA, { commonName: 'stranger', usage: 'client' });
    const foreign = await memberClient(key, first, {
      ca: operatorTLS.ca,
      cert: stranger.certPem,
      key: stranger.keyPem,
    })
      .put('/tls/intruder', 'x')
      .catch((e: unknown) => e);
    expect(foreign).toMatchObject({ reason: 'TLSFailed' });

    // Rotation: a new key and certificate from the same CA, written into the server Secret.
    const serverName = (pod: Pod) => `${pod.metadata.name}.${key.name}.${key.namespace}.svc`;
    const oldSerial = certificateFacts((await tlsFiles(names.server)).cert).serialNumber;
    for (const pod of pods)
      expect(await servedSerial(pod.status!.podIP!, serverName(pod), operatorTLS)).toBe(oldSerial);
    const ca: KeyPair = {
      certPem: text(caSecret.data?.['tls.crt']),
      keyPem: text(caSecret.data?.['tls.key']),
    };
    const rotated = await issueCertificate(ca, {
      commonName: `${key.name} etcd server (rotated)`,
      usage: 'server',
      dnsNames: memberDNSNames(key.name, key.namespace),
      ipAddresses: ['127.0.0.1'],
    });
    const newSerial = certificateFacts(rotated.certPem).serialNumber;
    const restartsBefore = new Map(
      pods.map((p) => [p.metadata.uid, p.status?.containerStatuses?.[0]?.restartCount]),
    );

    // Write and read continuously through every member while the certificate changes.
    const acked = new Map<string, string>();
    let failures = 0;
    let unavailableSamples = 0;
    let running = true;
    const clients = pods.map((p) => memberClient(key, p, operatorTLS));
    const traffic = (async () => {
      for (let i = 0; running; i++) {
        const k = `/rotation/${String(i).padStart(6, '0')}`;
        const c = clients[i % clients.length]!;
        try {
          await c.put(k, `v${i}`);
          acked.set(k, `v${i}`);
          expect(await clients[(i + 1) % clients.length]!.get(k)).toBe(`v${i}`);
        } catch (err) {
          if (!(err instanceof EtcdRequestError)) throw err;
          failures++;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const availability = (async () => {
      while (running) {
        const status = (await readCluster(client, key)).status;
        if (status?.conditions?.find((c) => c.type === 'Available')?.status !== 'True') unavailableSamples++;
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();

    try {
      await new Promise((r) => setTimeout(r, 2000));
      const current = await secret(names.server);
      const updatedAt = Date.now();
      await client.resource<Secret>(SecretType).update({
        ...current,
        data: { ...current.data, 'tls.crt': b64(rotated.certPem), 'tls.key': b64(rotated.keyPem) },
      });
      await eventually(
        async () => {
          for (const pod of pods)
            expect(await servedSerial(pod.status!.podIP!, serverName(pod), operatorTLS)).toBe(newSerial);
        },
        { timeout: 180_000, interval: 1000, message: 'every member serves the rotated certificate' },
      );
      process.stderr.write(
        `time from the Secret update to every member serving the new certificate: ${((Date.now() - updatedAt) / 1000).toFixed(1)} s\n`,
      );
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      running = false;
      await Promise.all([traffic, availability]);
    }
    process.stderr.write(
      `during rotation: ${acked.size} acknowledged writes, ${failures} failed requests, ${unavailableSamples} status samples not Available\n`,
    );
    expect(acked.size).toBeGreaterThan(20);
    expect(unavailableSamples).toBe(0);

    // No acknowledged write is lost: every member has every key.
    for (const c of clients) {
      await eventually(
        async () => {
          const missing: string[] = [];
          for (const [k, v] of acked) if ((await c.get(k, { serializable: true })) !== v) missing.push(k);
          expect(missing).toEqual([]);
        },
        { timeout: 60_000, interval: 2000, message: `every acknowledged key on ${c.endpoint}` },
      );
    }
    // No member was restarted: the new certificate came from the mounted files.
    const after = await memberPods(client, key);
    expect(
      new Map(after.map((p) => [p.metadata.uid, p.status?.containerStatuses?.[0]?.restartCount])),
    ).toEqual(restartsBefore);
    // The operator leaves the rotated certificate in place (same CA, names present, not due).
    await new Promise((r) => setTimeout(r, 6000));
    expect(certificateFacts((await tlsFiles(names.server)).cert).serialNumber).toBe(newSerial);
    await waitAvailable(key, 3, 30_000);
  }, 600_000);

  it('backs up a TLS cluster: the snapshot Job presents the operator client certificate', async () => {
    const backupController = await runBackupController(kc, ns.name);
    try {
      const key = { namespace: ns.name, name: 'vault' };
      await createCluster(key, 1, { client: { generate: true } });
      await client.resource<PersistentVolumeClaim>(PvcType).create({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'backups', namespace: ns.name },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '256Mi' } } },
      });
      await waitAvailable(key, 1, 180_000);
      const operatorTLS = await tlsFiles(generatedSecretNames(key.name).operator);
      const [pod] = await memberPods(client, key);
      await memberClient(key, pod!, operatorTLS).put('/vault/secret', 'kept');

      const backups = client.resource<EtcdBackup>({ apiVersion: ETCD_API_VERSION, kind: ETCD_BACKUP_KIND });
      const started = Date.now();
      await backups.create({
        apiVersion: ETCD_API_VERSION,
        kind: ETCD_BACKUP_KIND,
        metadata: { name: 'vault-once', namespace: ns.name },
        spec: { clusterName: key.name, destination: { pvc: { claimName: 'backups' } } },
      });
      const done = await eventually(
        async () => {
          const b = await backups.get({ namespace: ns.name, name: 'vault-once' });
          expect(b.status?.phase).toBe('Succeeded');
          return b;
        },
        { timeout: 180_000, interval: 1000, message: 'EtcdBackup vault-once Succeeded' },
      );
      process.stderr.write(
        `backup of a TLS cluster: ${((Date.now() - started) / 1000).toFixed(1)} s from create to Succeeded\n`,
      );
      expect(done.status?.lastSnapshot).toMatchObject({ etcdVersion: V36 });
      expect(done.status?.lastSnapshot?.totalKeys).toBeGreaterThanOrEqual(1);
    } finally {
      await backupController.stop();
    }
  }, 420_000);
  it('backs up a 3-member TLS cluster to S3: the operator streams the snapshot with its client certificate', async () => {
    const BUCKET = 'etcd-tls-backups';
    const store = await startObjectStore({ buckets: [BUCKET] });
    const s3 = store.client();
    const backupController = await runBackupController(kc, ns.name);
    try {
      const key = { namespace: ns.name, name: 'ledger' };
      await client.resource<Secret>(SecretType).create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's3-credentials', namespace: ns.name },
        data: { accessKeyID: b64(store.accessKeyId), secretAccessKey: b64(store.secretAccessKey) },
      });
      await createCluster(key, 3, { client: { generate: true }, peer: { generate: true } });
      await waitAvailable(key, 3, 300_000);
      const operatorTLS = await tlsFiles(generatedSecretNames(key.name).operator);
      const pods = await memberPods(client, key);
      const writer = memberClient(key, pods[0]!, operatorTLS);
      for (let i = 0; i < 200; i += 20)
        await Promise.all(
          Array.from({ length: 20 }, (_, j) =>
            writer.put(`/ledger/${String(i + j).padStart(4, '0')}`, 'y'.repeat(512)),
          ),
        );
      const revisionBefore = (await writer.status()).revision ?? 0;

      const backups = client.resource<EtcdBackup>({ apiVersion: ETCD_API_VERSION, kind: ETCD_BACKUP_KIND });
      const started = Date.now();
      await backups.create({
        apiVersion: ETCD_API_VERSION,
        kind: ETCD_BACKUP_KIND,
        metadata: { name: 'ledger-s3', namespace: ns.name },
        spec: {
          clusterName: key.name,
          destination: {
            s3: {
              endpoint: store.endpoint,
              bucket: BUCKET,
              prefix: 'tls',
              credentialsSecret: { name: 's3-credentials' },
            },
          },
        },
      });
      const done = await eventually(
        async () => {
          const b = await backups.get({ namespace: ns.name, name: 'ledger-s3' });
          expect(b.status?.phase).toBe('Succeeded');
          return b;
        },
        { timeout: 180_000, interval: 1000, message: 'EtcdBackup ledger-s3 Succeeded' },
      ).catch(async (err: unknown) => {
        const b = await backups.get({ namespace: ns.name, name: 'ledger-s3' }).catch(() => undefined);
        if (err instanceof Error) err.message += `\nstatus: ${JSON.stringify(b?.status)}`;
        throw err;
      });
      const snap = done.status?.lastSnapshot;
      process.stderr.write(
        `S3 backup of a 3-member TLS cluster: ${((Date.now() - started) / 1000).toFixed(1)} s from create to Succeeded, ${snap?.size} bytes\n`,
      );
      expect(snap).toMatchObject({
        etcdVersion: V36,
        path: expect.stringMatching(
          new RegExp(`^${s3BackupFolder('tls', ns.name, 'ledger-s3')}ledger-\\d{8}-\\d{6}\\.db$`),
        ),
      });
      expect(snap?.revision).toBeGreaterThanOrEqual(Number(revisionBefore));
      expect(snap?.size).toBeGreaterThan(200 * 512);
      // The object is the snapshot status describes, byte for byte.
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: snap!.path }));
      const body = Buffer.from(await got.Body!.transformToByteArray());
      expect(body.length).toBe(snap?.size);
      expect(createHash('sha256').update(body).digest('hex')).toBe(snap?.sha256);
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: snap!.path }));
      expect(head.Metadata).toMatchObject({ sha256: snap?.sha256, cluster: key.name });
      // It was read over TLS with the operator's certificate, and said so.
      const events = await client
        .resource<{ metadata: object; reason?: string; note?: string; regarding?: { name?: string } }>({
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
        })
        .list({ namespace: ns.name });
      expect(
        events.items.find((e) => e.regarding?.name === 'ledger-s3' && e.reason === 'SnapshotStarted')?.note,
      ).toContain(`over TLS (client certificate of Secret ${generatedSecretNames(key.name).operator})`);

      // Reading a snapshot changes nothing: every member is still there, healthy, with the data.
      await waitAvailable(key, 3, 60_000);
      for (const pod of await memberPods(client, key)) {
        const member = memberClient(key, pod, operatorTLS);
        expect(await member.health()).toBe(true);
        expect(await member.get('/ledger/0199')).toBe('y'.repeat(512));
      }
      expect(await memberPods(client, key)).toHaveLength(3);
    } finally {
      await backupController.stop();
      s3.destroy();
      await store.stop();
    }
  }, 600_000);
});
