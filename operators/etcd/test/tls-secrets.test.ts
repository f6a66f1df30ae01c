// The TLS Secrets of a cluster against the real API server (no node needed):
// what the operator generates, that a second pass changes nothing, that
// renewal replaces the leaves but never the CA, and that a missing named
// Secret stops the pass with a Warning Event and a condition naming it.
import { Client, keyString } from '@switchboard/core';
import type { ObjectKey, ResourceClient } from '@switchboard/core';
import { createTestNamespace, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../src/api/types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../src/api/types.js';
import { ensureGeneratedTLS, prepareClusterTLS, TLSSecretError } from '../src/controller/ensure-tls.js';
import type { EventSink } from '../src/controller/step-context.js';
import { reconcileEtcdCluster } from '../src/controller/reconcile-cluster.js';
import { GatewayEtcdClient } from '../src/etcd/gateway-client.js';
import type { Pod, Secret } from '../src/kube/kube-types.js';
import { PodType, SecretType } from '../src/kube/kube-types.js';
import { clusterSelectorString } from '../src/kube/labels.js';
import { certificateFacts, isIssuedBy } from '../src/tls/certificates.js';
import { generatedSecretNames } from '../src/tls/cluster-tls.js';
import { installEtcdCrd } from './support/install-crd.js';

const DAY = 86_400_000;
let ns: TestNamespace;
let client: Client;
let clusters: ResourceClient<EtcdCluster>;
const events: string[] = [];
const sink: EventSink = {
  record: (_c, type, reason, message) => {
    events.push(`${type} ${reason} ${message}`);
    return Promise.resolve();
  },
};

beforeAll(async () => {
  const kc = testKubeConfig();
  client = await installEtcdCrd(kc);
  ns = await createTestNamespace(kc, 'etcd-tls-secrets');
  clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
});

afterAll(async () => {
  await ns?.delete();
});

async function create(name: string, spec: Partial<EtcdClusterSpec>): Promise<ObjectKey> {
  await clusters.create({
    apiVersion: ETCD_API_VERSION,
    kind: ETCD_CLUSTER_KIND,
    metadata: { name, namespace: ns.name },
    spec: { size: 1, ...spec } as EtcdClusterSpec,
  });
  return { namespace: ns.name, name };
}

async function pass(key: ObjectKey): Promise<void> {
  await reconcileEtcdCluster(
    { ...key, key: keyString(key) },
    {
      client,
      etcd: (endpoint, tls) => new GatewayEtcdClient(endpoint, { timeoutMs: 1000, ...(tls ? { tls } : {}) }),
      events: sink,
      newMemberName: (c) => `${c}-seed`,
    },
  );
}

const text = (s: Secret, k: string) => Buffer.from(s.data?.[k] ?? '', 'base64').toString('utf8');

async function secrets(cluster: string): Promise<Record<string, Secret>> {
  const names = generatedSecretNames(cluster);
  const out: Record<string, Secret> = {};
  for (const [role, name] of Object.entries(names))
    out[role] = await client.resource<Secret>(SecretType).get({ namespace: ns.name, name });
  return out;
}

describe('generated TLS Secrets', () => {
  it('creates a CA and the server, peer and operator certificates it signs, owned by the cluster, and mounts them', async () => {
    const key = await create('gen', { tls: { client: { generate: true }, peer: { generate: true } } });
    await pass(key);
    const s = await secrets('gen');
    const ca = text(s.ca!, 'tls.crt');
    for (const role of ['server', 'peer', 'operator']) {
      const secret = s[role]!;
      expect(secret.type).toBe('kubernetes.io/tls');
      expect(secret.metadata.ownerReferences?.[0]).toMatchObject({ kind: ETCD_CLUSTER_KIND, name: 'gen' });
      expect(text(secret, 'ca.crt')).toBe(ca);
      expect(isIssuedBy(text(secret, 'tls.crt'), ca)).toBe(true);
    }
    expect(events.filter((e) => e.startsWith('Normal CertificateIssued'))).toHaveLength(4);
    const pods = await client
      .resource<Pod>(PodType)
      .list({ namespace: ns.name, labelSelector: clusterSelectorString('gen') });
    expect(pods.items[0]?.spec.volumes?.filter((v) => v.secret).map((v) => v.secret?.secretName)).toEqual([
      'gen-tls-server',
      'gen-tls-peer',
    ]);
  });

  it('changes nothing on the next pass, and renews the leaves (never the CA) after two thirds of their life', async () => {
    const cluster = await clusters.get({ namespace: ns.name, name: 'gen' });
    const before = await secrets('gen');
    expect(await ensureGeneratedTLS(client, cluster, new Date(Date.now() + DAY))).toEqual([]);
    const same = await secrets('gen');
    for (const role of Object.keys(before)) expect(same[role]!.data).toEqual(before[role]!.data);

    const notes = await ensureGeneratedTLS(client, cluster, new Date(Date.now() + 250 * DAY));
    expect(notes).toHaveLength(3);
    expect(
      notes.every((n) => n.startsWith('renewed certificate in Secret') && n.includes('due for renewal')),
    ).toBe(true);
    const after = await secrets('gen');
    expect(after.ca!.data).toEqual(before.ca!.data);
    const ca = text(after.ca!, 'tls.crt');
    for (const role of ['server', 'peer', 'operator']) {
      expect(text(after[role]!, 'tls.key')).not.toBe(text(before[role]!, 'tls.key'));
      expect(certificateFacts(text(after[role]!, 'tls.crt')).serialNumber).not.toBe(
        certificateFacts(text(before[role]!, 'tls.crt')).serialNumber,
      );
      expect(isIssuedBy(text(after[role]!, 'tls.crt'), ca)).toBe(true);
    }
  });

  it('reads each Secret once in a reconcile pass that checks (and could renew) them', async () => {
    const cluster = await clusters.get({ namespace: ns.name, name: 'gen' });
    const secretGets: string[] = [];
    const counting = new Client({
      request: (req) => {
        if (req.method === 'GET' && req.path.includes('/secrets/'))
          secretGets.push(req.path.split('/').pop() ?? '');
        return client.transport.request(req);
      },
      stream: (req) => client.transport.stream(req),
    });
    const prepared = await prepareClusterTLS(counting, cluster, 'pod-ip', { issue: true });
    expect(prepared.notes).toEqual([]);
    expect(prepared.material).toMatchObject({ serverName: expect.stringContaining('gen-client') as unknown });
    expect(secretGets.sort()).toEqual(Object.values(generatedSecretNames('gen')).sort());
  });

  it('never replaces a CA Secret that exists, even a broken one', async () => {
    const key = await create('badca', { tls: { client: { generate: true } } });
    const cluster = await clusters.get(key);
    await client.resource<Secret>(SecretType).create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'badca-tls-ca', namespace: ns.name },
      data: { 'tls.crt': Buffer.from('not a certificate').toString('base64') },
    });
    const err: unknown = await ensureGeneratedTLS(client, cluster).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TLSSecretError);
    expect(err).toMatchObject({ reason: 'TLSSecretInvalid', secret: 'badca-tls-ca' });
    const ca = await client.resource<Secret>(SecretType).get({ namespace: ns.name, name: 'badca-tls-ca' });
    expect(Object.keys(ca.data ?? {})).toEqual(['tls.crt']);
  });
});

describe('named TLS Secrets', () => {
  it('stops before creating members while a named Secret is missing, with a Warning Event and Progressing=False naming it', async () => {
    const key = await create('named', {
      tls: { client: { serverSecretName: 'named-server', operatorSecretName: 'named-op' } },
    });
    await pass(key);
    expect(events).toContainEqual(
      `Warning TLSSecretNotFound Secret ${ns.name}/named-server (spec.tls.client.serverSecretName) not found`,
    );
    const status = (await clusters.get(key)).status;
    expect(status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'TLSSecretNotFound',
      message: `Secret ${ns.name}/named-server (spec.tls.client.serverSecretName) not found`,
    });
    const pods = await client
      .resource<Pod>(PodType)
      .list({ namespace: ns.name, labelSelector: clusterSelectorString('named') });
    expect(pods.items).toEqual([]);
  });
});
