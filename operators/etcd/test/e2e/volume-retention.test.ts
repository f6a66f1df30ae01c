// What deleting an EtcdCluster does to its data, on the local cluster's real
// node: under whenDeleted Retain (the default) the members' PVCs stay, with no
// owner reference and labelled with the cluster, and a new EtcdCluster of the
// same name starts empty beside them without touching them; under Delete they
// go with the EtcdCluster.
import { jest } from '@jest/globals';
import type { Client, ObjectKey, ResourceClient } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig, whyNoNode } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../../src/api/types.js';
import type { PersistentVolumeClaim, Pod } from '../../src/kube/kube-types.js';
import { PodType, PvcType } from '../../src/kube/kube-types.js';
import { clusterSelectorString } from '../../src/kube/labels.js';
import { installEtcdCrd } from '../support/install-crd.js';
import { memberClients, readCluster, waitHealthy } from '../support/etcd-cluster-probe.js';
import { runOperator } from '../support/run-operator.js';
import type { RunningOperator } from '../support/run-operator.js';

const skipReason = await whyNoNode();
if (skipReason) process.stderr.write(`etcd volume retention e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
// One retry, as cluster-lifecycle.test.ts: the local cluster's DNS has dropped out on a loaded machine.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

const V36 = '3.6.16';
const STORAGE: EtcdClusterSpec['storage'] = { type: 'PersistentVolume', size: '256Mi' };

describeE2E('member volumes when an EtcdCluster is deleted', () => {
  const kc = skipReason ? undefined! : testKubeConfig();
  let client: Client;
  let clusters: ResourceClient<EtcdCluster>;
  let ns: TestNamespace;
  let operator: RunningOperator | undefined;

  beforeAll(async () => {
    client = await installEtcdCrd(kc);
    clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
  });

  beforeEach(async () => {
    ns = await createTestNamespace(kc, 'etcd-retain');
    operator = await runOperator(kc, ns.name);
  });

  afterEach(async () => {
    await operator?.stop();
    await ns.delete();
  });

  async function createCluster(name: string, spec: Partial<EtcdClusterSpec>): Promise<ObjectKey> {
    await clusters.create({
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_CLUSTER_KIND,
      metadata: { name, namespace: ns.name },
      spec: { storage: STORAGE, ...spec } as EtcdClusterSpec,
    });
    return { namespace: ns.name, name };
  }

  async function pvcsOf(key: ObjectKey): Promise<PersistentVolumeClaim[]> {
    const selector = { namespace: key.namespace, labelSelector: clusterSelectorString(key.name) };
    return (await client.resource<PersistentVolumeClaim>(PvcType).list(selector)).items;
  }

  async function deleteAndWaitForPods(key: ObjectKey): Promise<void> {
    await clusters.delete(key);
    await eventually(
      async () => {
        const pods = await client
          .resource<Pod>(PodType)
          .list({ namespace: key.namespace, labelSelector: clusterSelectorString(key.name) });
        expect(pods.items.map((p) => p.metadata.name)).toEqual([]);
        await expect(clusters.get(key)).rejects.toThrow();
      },
      { timeout: 120_000, interval: 1000, message: 'the EtcdCluster and its Pods gone' },
    );
  }

  it('keeps the PVCs of a deleted cluster, and a new cluster of the same name starts empty beside them without touching them', async () => {
    const key = await createCluster('keep', { size: 1, version: V36 });
    const [oldMember] = await waitHealthy(client, key, 1, V36);
    const oldUid = (await readCluster(client, key)).metadata.uid!;
    await (await memberClients(client, key))[0]!.put('/old', 'data');
    const before = await pvcsOf(key);
    expect(before.map((p) => p.metadata.name)).toEqual([oldMember!.name]);

    await deleteAndWaitForPods(key);
    const kept = await pvcsOf(key);
    expect(kept.map((p) => p.metadata.uid)).toEqual(before.map((p) => p.metadata.uid));
    for (const pvc of kept) {
      expect(pvc.metadata.deletionTimestamp).toBeUndefined();
      expect(pvc.metadata.ownerReferences ?? []).toEqual([]);
      expect(pvc.metadata.labels).toMatchObject({
        'etcd.switchboard.dev/cluster': 'keep',
        'etcd.switchboard.dev/member': oldMember!.name,
        'etcd.switchboard.dev/cluster-uid': oldUid,
      });
    }

    await createCluster('keep', { size: 1, version: V36 });
    const [newMember] = await waitHealthy(client, key, 1, V36);
    expect((await readCluster(client, key)).metadata.uid).not.toBe(oldUid);
    expect(newMember!.name).not.toBe(oldMember!.name);
    const [member] = await memberClients(client, key);
    expect(await member!.get('/old')).toBeUndefined();
    await member!.put('/new', 'data');
    // The old PVC is exactly as it was left: not adopted, relabelled, owned or deleted.
    const after = await pvcsOf(key);
    const old = after.find((p) => p.metadata.uid === kept[0]!.metadata.uid);
    expect(old?.metadata).toMatchObject({
      resourceVersion: kept[0]!.metadata.resourceVersion,
      labels: kept[0]!.metadata.labels,
    });
    expect(old?.metadata.ownerReferences ?? []).toEqual([]);
    expect(after.map((p) => p.metadata.name).sort()).toEqual([oldMember!.name, newMember!.name].sort());
  }, 300_000);

  it('deletes the PVCs with the cluster under whenDeleted Delete', async () => {
    const key = await createCluster('drop', {
      size: 1,
      version: V36,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' },
    });
    await waitHealthy(client, key, 1, V36);
    const owned = await pvcsOf(key);
    expect(owned).toHaveLength(1);
    expect(owned[0]!.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'EtcdCluster', name: 'drop', controller: true }),
    ]);
    await deleteAndWaitForPods(key);
    await eventually(async () => expect(await pvcsOf(key)).toEqual([]), {
      timeout: 60_000,
      interval: 1000,
      message: 'the PVCs garbage-collected with the EtcdCluster',
    });
  }, 300_000);

  it('follows a change of whenDeleted on existing PVCs: the owner reference goes on, and off again', async () => {
    const key = await createCluster('switch', { size: 1, version: V36 });
    await waitHealthy(client, key, 1, V36);
    const refs = async () => (await pvcsOf(key)).map((p) => (p.metadata.ownerReferences ?? []).length);
    expect(await refs()).toEqual([0]);
    await clusters.patch(key, {
      type: 'merge',
      body: { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } } },
    });
    await eventually(async () => expect(await refs()).toEqual([1]), { timeout: 60_000, interval: 1000 });
    await clusters.patch(key, {
      type: 'merge',
      body: { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain' } } },
    });
    await eventually(async () => expect(await refs()).toEqual([0]), { timeout: 60_000, interval: 1000 });
  }, 300_000);
});
