// Disaster recovery on the real node: 2 of 3 members lose their Pods and
// data (PVCs deleted while the operator is down, as after losing two nodes),
// so quorum can never come back. With `recovery: manual` nothing happens
// until the annotation is set; then the cluster is rebuilt from the survivor
// (--force-new-cluster) and grows back to 3 members, with the data the
// survivor had acknowledged.
import { jest } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Client, ObjectKey, ResourceClient } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig, whyNoNode } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../../src/api/types.js';
import type { PersistentVolumeClaim, Pod } from '../../src/kube/kube-types.js';
import { PodType, PvcType } from '../../src/kube/kube-types.js';
import { FORCE_NEW_CLUSTER_FLAG } from '../../src/kube/member-pod.js';
import { QUORUM_LOSS_WAIT_MS, RECOVER_ANNOTATION } from '../../src/runbook/recover.js';
import { memberClients, memberPods, readCluster, waitHealthy } from '../support/etcd-cluster-probe.js';
import { installEtcdCrd } from '../support/install-crd.js';
import { runOperator } from '../support/run-operator.js';
import type { RunningOperator } from '../support/run-operator.js';

const skipReason = await whyNoNode();
if (skipReason) process.stderr.write(`etcd disaster recovery e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
// One retry, with the first failure logged (see member-faults.test.ts for why).
jest.retryTimes(1, { logErrorsBeforeRetry: true });
const V36 = '3.6.16';

describeE2E('etcd disaster recovery on a real node', () => {
  const kc: KubeConfig = skipReason ? undefined! : testKubeConfig();
  let client: Client;
  let ns: TestNamespace;
  let operator: RunningOperator | undefined;
  let clusters: ResourceClient<EtcdCluster>;

  beforeAll(async () => {
    client = await installEtcdCrd(kc);
    ns = await createTestNamespace(kc, 'etcd-dr');
    clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
  });

  afterEach(async () => {
    await operator?.stop();
    operator = undefined;
  });

  afterAll(async () => {
    await ns?.delete();
  });

  async function loseMembersWithData(key: ObjectKey, victims: string[]): Promise<void> {
    const pods = client.resource<Pod>(PodType);
    const pvcs = client.resource<PersistentVolumeClaim>(PvcType);
    for (const name of victims) {
      await pods.delete({ namespace: key.namespace, name }, { gracePeriodSeconds: 0 });
      await pvcs.delete({ namespace: key.namespace, name });
    }
    await eventually(
      async () => {
        const left = await pvcs.list({ namespace: key.namespace });
        expect(left.items.filter((p) => victims.includes(p.metadata.name ?? ''))).toEqual([]);
        expect((await memberPods(client, key)).map((p) => p.metadata.name)).not.toContain(victims[0]);
      },
      { timeout: 60_000, message: 'victims gone' },
    );
  }

  it('with recovery manual, waits for the annotation, then rebuilds from the survivor and grows back to 3 with its data', async () => {
    // A fresh name per attempt (the suite retries once).
    const name = `dr-${Date.now().toString(36).slice(-5)}`;
    const key = { namespace: ns.name, name };
    operator = await runOperator(kc, ns.name);
    await clusters.create({
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_CLUSTER_KIND,
      metadata: { name, namespace: ns.name },
      spec: { size: 3, version: V36, recovery: 'manual' } as EtcdClusterSpec,
    });
    const before = await waitHealthy(client, key, 3, V36);
    const [writer] = await memberClients(client, key);
    for (let i = 0; i < 100; i++) await writer!.put(`/dr/${i}`, `v${i}`);

    await operator.stop();
    const names = (await memberPods(client, key)).map((p) => p.metadata.name ?? '').sort();
    const [survivor, ...victims] = names;
    await loseMembersWithData(key, victims);
    operator = await runOperator(kc, ns.name);

    // Manual: past the wait bound, still nothing but the survivor, unchanged.
    const since = await eventually(
      async () => {
        const status = (await readCluster(client, key)).status;
        expect(status?.quorumLostSince).toBeDefined();
        return Date.parse(status!.quorumLostSince!);
      },
      { timeout: 30_000 },
    );
    await eventually(() => expect(Date.now() - since).toBeGreaterThan(QUORUM_LOSS_WAIT_MS + 5000), {
      timeout: QUORUM_LOSS_WAIT_MS + 30_000,
      interval: 1000,
    });
    const waiting = await readCluster(client, key);
    expect(waiting.status?.recovery).toBeUndefined();
    expect(waiting.status?.phase).toBe('Unavailable');
    expect((await memberPods(client, key)).map((p) => p.metadata.name)).toEqual([survivor]);

    const annotatedAt = Date.now();
    await clusters.patch(key, {
      type: 'merge',
      body: { metadata: { annotations: { [RECOVER_ANNOTATION]: 'now' } } },
    });
    await eventually(
      async () => expect((await readCluster(client, key)).status?.recovery).toMatchObject({ survivor }),
      {
        timeout: 30_000,
      },
    );
    const after = await waitHealthy(client, key, 3, V36, 180_000);
    process.stderr.write(
      `recovery from the annotation to 3 healthy members: ${((Date.now() - annotatedAt) / 1000).toFixed(1)} s\n`,
    );
    // Same cluster, same survivor member; the other two are new members.
    const survivorId = before.find((m) => m.name === survivor)?.id;
    expect(after.map((m) => m.id)).toContain(survivorId);
    expect(after.filter((m) => m.id !== survivorId).every((m) => !before.some((b) => b.id === m.id))).toBe(
      true,
    );
    await eventually(async () => {
      const done = await readCluster(client, key);
      expect(done.status?.recovery).toBeUndefined();
      expect(done.metadata.annotations?.[RECOVER_ANNOTATION]).toBeUndefined();
    });
    for (const pod of await memberPods(client, key))
      expect(pod.spec.containers[0]?.args).not.toContain(FORCE_NEW_CLUSTER_FLAG);
    for (const c of await memberClients(client, key))
      for (const i of [0, 50, 99]) expect(await c.get(`/dr/${i}`, { serializable: true })).toBe(`v${i}`);
  }, 420_000);
});
