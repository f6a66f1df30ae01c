// One backup pass (reconcileEtcdBackup) of an S3 backup of a cluster with
// client TLS, without Kubernetes: the API is a fake holding the objects, the
// member is a real etcd on loopback that requires client certificates, with
// a server certificate made as the operator makes it (no name for the
// loopback address beyond 127.0.0.1 and the cluster's DNS names), and the
// bucket is a real S3 server (SeaweedFS). The pass reads the operator's
// certificate from its Secret, reaches the member by "Pod IP" checking the
// client Service name, and uploads a verified snapshot; without the Secret
// the attempt fails with a reason and uploads nothing.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Client, EventInput, EventRecorder } from '@switchboard/core';
import { NotFoundError } from '@switchboard/core';
import { eventually, MissingBinaryError, objectStoreBinary, startObjectStore } from '@switchboard/testing';
import type { ObjectStore } from '@switchboard/testing';

import type { EtcdBackup, EtcdBackupStatus } from '../src/api/backup-types.js';
import { reconcileEtcdBackup } from '../src/controller/reconcile-backup.js';
import type { EtcdClientFactory, EtcdTLSMaterial } from '../src/etcd/etcd-client.js';
import { GatewayEtcdClient, gatewayClientFactory } from '../src/etcd/gateway-client.js';
import type { Secret } from '../src/kube/kube-types.js';
import { listKeys } from '../src/s3/s3-store.js';
import { generateCA, issueCertificate } from '../src/tls/certificates.js';
import { memberDNSNames } from '../src/tls/cluster-tls.js';
import { loopbackAddress, startLoopbackMember } from './support/loopback-etcd.js';
import type { LoopbackMember } from './support/loopback-etcd.js';

function built(): boolean {
  try {
    objectStoreBinary();
    return true;
  } catch (err) {
    if (!(err instanceof MissingBinaryError)) throw err;
    process.stderr.write(`S3 backup over TLS test skipped: ${err.message}\n`);
    return false;
  }
}
const describeBuilt = built() ? describe : describe.skip;

const BUCKET = 'etcd-tls';
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** The fake API: named objects by kind, status patches merged into the backup. */
class FakeApi {
  readonly objects = new Map<string, Map<string, unknown>>();

  put(kind: string, name: string, obj: unknown): void {
    if (!this.objects.has(kind)) this.objects.set(kind, new Map());
    this.objects.get(kind)!.set(name, obj);
  }

  client(): Client {
    const objects = this.objects;
    return {
      resource: (type: { kind: string }) => {
        const of = (): Map<string, unknown> => objects.get(type.kind) ?? new Map<string, unknown>();
        const get = ({ name }: { name: string }) => {
          const found = of().get(name);
          if (found !== undefined) return Promise.resolve(structuredClone(found));
          return Promise.reject(
            new NotFoundError({
              code: 404,
              reason: 'NotFound',
              message: 'not found',
              verb: 'get',
              resource: type.kind,
            }),
          );
        };
        return {
          get,
          list: () => Promise.resolve({ items: [...of().values()].map((o) => structuredClone(o)) }),
          status: {
            patch: ({ name }: { name: string }, patch: { body: { status: Record<string, unknown> } }) => {
              const obj = of().get(name) as { status?: Record<string, unknown> };
              const status = { ...obj.status, ...patch.body.status };
              for (const [k, v] of Object.entries(status)) if (v === null) delete status[k];
              obj.status = status;
              return Promise.resolve(structuredClone(obj));
            },
          },
        };
      },
    } as unknown as Client;
  }
}

describeBuilt('an S3 backup pass of a cluster with client TLS, against loopback etcd and SeaweedFS', () => {
  let member: LoopbackMember | undefined;
  let store: ObjectStore;
  let s3: S3Client;
  let dir: string;
  let files: Record<string, string>;
  const api = new FakeApi();
  const opened: GatewayEtcdClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etcd-s3-tls-'));
    const ca = await generateCA('main etcd CA');
    // As ensure-tls.ts issues it for cluster main in namespace ns.
    const server = await issueCertificate(ca, {
      commonName: 'main etcd server',
      usage: 'server',
      dnsNames: memberDNSNames('main', 'ns'),
      ipAddresses: ['127.0.0.1'],
    });
    const operator = await issueCertificate(ca, { commonName: 'etcd-operator', usage: 'client' });
    writeFileSync(join(dir, 'ca.crt'), ca.certPem);
    writeFileSync(join(dir, 'tls.crt'), server.certPem);
    writeFileSync(join(dir, 'tls.key'), server.keyPem);
    const addr = await loopbackAddress('main-bbbbb', 'https');
    member = startLoopbackMember(addr, `main-bbbbb=${addr.peerURL}`, 'new', undefined, [
      `--cert-file=${join(dir, 'tls.crt')}`,
      `--key-file=${join(dir, 'tls.key')}`,
      `--trusted-ca-file=${join(dir, 'ca.crt')}`,
      '--client-cert-auth=true',
    ]);
    store = await startObjectStore({ buckets: [BUCKET] });
    s3 = store.client();
    files = { 'ca.crt': ca.certPem, 'tls.crt': operator.certPem, 'tls.key': operator.keyPem };
    const writer = new GatewayEtcdClient(member.clientURL, {
      timeoutMs: 3000,
      tls: { ca: ca.certPem, cert: operator.certPem, key: operator.keyPem },
    });
    opened.push(writer);
    await eventually(async () => expect(await writer.health()).toBe(true), { timeout: 20_000 });
    for (let i = 0; i < 100; i++) await writer.put(`/data/${i}`, 'z'.repeat(256));

    const secret = (name: string, data: Record<string, string>): Secret => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'ns' },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
    });
    api.put(
      'Secret',
      'creds',
      secret('creds', { accessKeyID: store.accessKeyId, secretAccessKey: store.secretAccessKey }),
    );
    api.put(
      'Secret',
      'main-tls-server',
      secret('main-tls-server', { ...files, 'tls.crt': server.certPem, 'tls.key': server.keyPem }),
    );
    api.put('Secret', 'main-tls-operator', secret('main-tls-operator', files));
    api.put('EtcdCluster', 'main', {
      apiVersion: 'etcd.switchboard.dev/v1alpha1',
      kind: 'EtcdCluster',
      metadata: { name: 'main', namespace: 'ns', generation: 1 },
      spec: { size: 1, version: '3.6.16', tls: { client: { generate: true } } },
      status: {
        conditions: [{ type: 'Available', status: 'True' }],
        members: [{ name: 'main-bbbbb', healthy: true, leader: true, learner: false }],
      },
    });
    // The member's "Pod IP": the operator dials https://127.0.0.1:2379, which the factory below maps to the member's port.
    api.put('Pod', 'main-bbbbb', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'main-bbbbb', namespace: 'ns', labels: {} },
      status: { podIP: '127.0.0.1' },
    });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await member?.stop();
    s3?.destroy();
    await store?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function backup(name: string): EtcdBackup {
    const obj: EtcdBackup = {
      apiVersion: 'etcd.switchboard.dev/v1alpha1',
      kind: 'EtcdBackup',
      metadata: { name, namespace: 'ns', generation: 1, creationTimestamp: new Date().toISOString() },
      spec: {
        clusterName: 'main',
        destination: {
          s3: {
            endpoint: store.endpoint,
            bucket: BUCKET,
            prefix: 'tls',
            credentialsSecret: { name: 'creds' },
          },
        },
      },
    };
    api.put('EtcdBackup', name, obj);
    return obj;
  }

  /** One pass; returns the status it left, the Events and the calls made to etcd. */
  async function pass(name: string): Promise<{
    status: EtcdBackupStatus;
    events: EventInput[];
    asked: { endpoint: string; tls: EtcdTLSMaterial | undefined }[];
  }> {
    const events: EventInput[] = [];
    const asked: { endpoint: string; tls: EtcdTLSMaterial | undefined }[] = [];
    const real = gatewayClientFactory({ timeoutMs: 5000 });
    const etcdClient: EtcdClientFactory = (endpoint, tls) => {
      asked.push({ endpoint, tls });
      return real(endpoint.replace('//127.0.0.1:2379', `//${member!.clientURL.split('//')[1]}`), tls);
    };
    const recorder = {
      record: (_: unknown, input: EventInput) => {
        events.push(input);
        return Promise.resolve();
      },
    } as unknown as EventRecorder;
    try {
      await reconcileEtcdBackup(
        { namespace: 'ns', name, key: `ns/${name}` },
        { client: api.client(), recorder, etcdClient, addressing: 'pod-ip' },
      );
    } finally {
      // Its TLS Agent's sockets to the member must not outlive the pass.
      await real.close();
    }
    const stored = api.objects.get('EtcdBackup')!.get(name) as EtcdBackup;
    return { status: stored.status ?? {}, events, asked };
  }

  it('streams the snapshot over TLS with the operator certificate, checking the client Service name', async () => {
    backup('once');
    const started = Date.now();
    const { status, events, asked } = await pass('once');
    process.stderr.write(`one S3 backup pass over TLS on loopback: ${Date.now() - started} ms\n`);
    expect(status.phase).toBe('Succeeded');
    const snap = status.lastSnapshot!;
    expect(snap.path).toMatch(/^tls\/ns\/once\/main-\d{8}-\d{6}\.db$/);
    expect(asked.length).toBeGreaterThanOrEqual(2);
    for (const call of asked) {
      expect(call.endpoint).toBe('https://127.0.0.1:2379');
      expect(call.tls).toEqual({
        ca: files['ca.crt'],
        cert: files['tls.crt'],
        key: files['tls.key'],
        serverName: 'main-client.ns.svc',
      });
    }
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: snap.path }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    expect(body.length).toBe(snap.size);
    expect(createHash('sha256').update(body).digest('hex')).toBe(snap.sha256);
    expect(events.map((e) => e.reason)).toEqual(['SnapshotStarted', 'SnapshotSucceeded']);
    expect(events[0]?.note).toContain('over TLS (client certificate of Secret main-tls-operator)');
  }, 60_000);

  it('fails the attempt, with a reason and an Event, when the client certificate Secret is gone', async () => {
    const kept = api.objects.get('Secret')!.get('main-tls-operator');
    api.objects.get('Secret')!.delete('main-tls-operator');
    try {
      backup('nocert');
      const { status, events, asked } = await pass('nocert');
      expect(asked).toEqual([]);
      expect(status).toMatchObject({ phase: 'Pending', consecutiveFailures: 1 });
      expect(status.currentJob).toBeUndefined();
      const succeeded = status.conditions?.find((c) => c.type === 'Succeeded');
      expect(succeeded).toMatchObject({ status: 'False', reason: 'TLSSecretNotFound' });
      expect(succeeded?.message).toContain(
        'Secret ns/main-tls-operator (spec.tls.client.operatorSecretName) not found',
      );
      expect(events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'TLSSecretNotFound' })]);
      expect(await listKeys(s3, BUCKET, 'tls/ns/nocert/')).toEqual([]);
    } finally {
      api.put('Secret', 'main-tls-operator', kept);
    }
  }, 60_000);
});
