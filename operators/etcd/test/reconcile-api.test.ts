// One reconcile pass against the real API server (no node needed): what the
// operator writes for a new cluster before any etcd process runs.
import type { Client, ObjectKey, ResourceClient } from '@switchboard/core';
import { keyString } from '@switchboard/core';
import { createTestNamespace, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../src/api/types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../src/api/types.js';
import { reconcileEtcdCluster } from '../src/controller/reconcile-cluster.js';
import type { EventSink } from '../src/controller/step-context.js';
import { GatewayEtcdClient } from '../src/etcd/gateway-client.js';
import type { PersistentVolumeClaim, Pod, PodDisruptionBudget, Service } from '../src/kube/kube-types.js';
import { PdbType, PodType, PvcType, ServiceType } from '../src/kube/kube-types.js';
import { clusterSelectorString } from '../src/kube/labels.js';
import type { Step } from '../src/runbook/step.js';
import { installEtcdCrd } from './support/install-crd.js';

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
  ns = await createTestNamespace(kc, 'etcd-reconcile');
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
    spec: spec as EtcdClusterSpec,
  });
  return { namespace: ns.name, name };
}

async function pass(key: ObjectKey): Promise<Step> {
  let seen: Step | undefined;
  await reconcileEtcdCluster(
    { ...key, key: keyString(key) },
    {
      client,
      etcd: (endpoint) => new GatewayEtcdClient(endpoint, { timeoutMs: 1000 }),
      events: sink,
      newMemberName: (c) => `${c}-seed`,
      onStep: (_k, step) => (seen = step),
    },
  );
  return seen!;
}

describe('reconciling a new EtcdCluster against the API server', () => {
  it('creates the Services, the PDB and one seed member, owned by the cluster, and records intent in status', async () => {
    const key = await create('alpha', { size: 3, version: '3.6.16' });
    expect(await pass(key)).toEqual({ kind: 'CreateSeed', member: 'alpha-seed' });

    const owner = await clusters.get(key);
    const owned = { kind: 'EtcdCluster', name: 'alpha', uid: owner.metadata.uid, controller: true };
    const peer = await client.resource<Service>(ServiceType).get({ namespace: ns.name, name: 'alpha' });
    expect(peer.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(peer.metadata.ownerReferences).toEqual([expect.objectContaining(owned)]);
    await client.resource<Service>(ServiceType).get({ namespace: ns.name, name: 'alpha-client' });
    const pdb = await client
      .resource<PodDisruptionBudget>(PdbType)
      .get({ namespace: ns.name, name: 'alpha' });
    expect(pdb.spec.minAvailable).toBe(2);

    const selector = { namespace: ns.name, labelSelector: clusterSelectorString('alpha') };
    const pods = await client.resource<Pod>(PodType).list(selector);
    expect(pods.items.map((p) => p.metadata.name)).toEqual(['alpha-seed']);
    expect(pods.items[0]!.spec.containers[0]!.args).toContain('--initial-cluster-state=new');
    expect(pods.items[0]!.metadata.ownerReferences).toEqual([expect.objectContaining(owned)]);
    const pvcs = await client.resource<PersistentVolumeClaim>(PvcType).list(selector);
    expect(pvcs.items.map((p) => p.metadata.name)).toEqual(['alpha-seed']);
    // whenDeleted Retain (the default): the PVC outlives the EtcdCluster, labelled with its UID.
    expect(pvcs.items[0]!.metadata.ownerReferences ?? []).toEqual([]);
    expect(pvcs.items[0]!.metadata.labels?.['etcd.switchboard.dev/cluster-uid']).toBe(owner.metadata.uid);

    const status = (await clusters.get(key)).status;
    expect(status).toMatchObject({ phase: 'Creating', targetVersion: '3.6.16', observedGeneration: 1 });
    expect(status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'CreateSeed',
    });
    expect(events).toContain('Normal CreateSeed creating seed member alpha-seed');
  });

  it('never creates a second seed while the first one starts', async () => {
    const key = await create('beta', { size: 3 });
    await pass(key);
    expect(await pass(key)).toMatchObject({ kind: 'Wait', reason: 'WaitingForSeed' });
    const pods = await client
      .resource<Pod>(PodType)
      .list({ namespace: ns.name, labelSelector: clusterSelectorString('beta') });
    expect(pods.items).toHaveLength(1);
  });

  it('creates nothing while paused, and says so in status', async () => {
    const key = await create('gamma', { size: 1, paused: true });
    expect(await pass(key)).toMatchObject({ kind: 'Wait', reason: 'Paused' });
    const pods = await client
      .resource<Pod>(PodType)
      .list({ namespace: ns.name, labelSelector: clusterSelectorString('gamma') });
    expect(pods.items).toHaveLength(0);
    expect((await clusters.get(key)).status?.phase).toBe('Paused');
  });

  it('reports a member Pod the API server refuses as Degraded, with its message and one Warning Event, until the spec is fixed', async () => {
    // The schema checks each quantity; only the API server compares a request with its limit.
    const key = await create('refused', {
      size: 1,
      podTemplate: { resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } },
    });
    const refusedEvents = () => events.filter((e) => e.startsWith('Warning RefusedByAPIServer'));
    await pass(key);
    const degraded = async () =>
      (await clusters.get(key)).status?.conditions?.find((c) => c.type === 'Degraded');
    const first = await degraded();
    expect(first).toMatchObject({ status: 'True', reason: 'RefusedByAPIServer' });
    expect(first?.message).toContain('refused-seed');
    expect(first?.message).toContain('must be less than or equal to cpu limit');
    expect(refusedEvents()).toHaveLength(1);
    expect(refusedEvents()[0]).toContain('must be less than or equal to cpu limit');

    // The same refusal again: Degraded stands as it was, no second Event.
    await pass(key);
    expect(await degraded()).toEqual(first);
    expect(refusedEvents()).toHaveLength(1);

    await clusters.patch(key, {
      type: 'merge',
      body: { spec: { podTemplate: { resources: { requests: { cpu: '500m' } } } } },
    });
    expect(await pass(key)).toMatchObject({ kind: 'StartMember', member: 'refused-seed' });
    expect((await degraded())?.reason).not.toBe('RefusedByAPIServer');
    const pods = await client
      .resource<Pod>(PodType)
      .list({ namespace: ns.name, labelSelector: clusterSelectorString('refused') });
    expect(pods.items.map((p) => p.metadata.name)).toEqual(['refused-seed']);
  });
});
