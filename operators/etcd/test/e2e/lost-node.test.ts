// A member on a lost node (issue 18 item 7), through the local cluster's
// fault injection: one member's etcd is frozen and its node's kubelet and
// containerd stopped, so the Node goes NotReady and the member's Pod can
// neither run nor be deleted there. After spec.memberFailureTimeoutSeconds
// the member is replaced by a new member with a new PVC on another node; the
// cluster keeps its data, and the lost member's PVC is quarantined (kept,
// labelled, no owner reference), never deleted: the node may only be cut off.
// Losing a node must cost one member only, so the suite starts a local
// cluster of its own with 3 nodes beside the run's (which has one), the way
// packages/testing's node suite does; it needs what the run's node needs
// (root, the node stack built).
import { KubeConfig } from '@kubernetes/client-node';
import { jest } from '@jest/globals';
import type { Client, ObjectKey } from '@switchboard/core';
import {
  TEST_ENV,
  createTestNamespace,
  eventually,
  startLocalCluster,
  whyNoNode,
} from '@switchboard/testing';
import type { Faults, LocalCluster, TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../../src/api/types.js';
import type { PersistentVolumeClaim, Pod } from '../../src/kube/kube-types.js';
import { PodType, PvcType } from '../../src/kube/kube-types.js';
import {
  CLUSTER_LABEL,
  MEMBER_LABEL,
  QUARANTINE_LABEL,
  QUARANTINE_NOTE_ANNOTATION,
} from '../../src/kube/labels.js';
import { clusterSelectorString } from '../../src/kube/labels.js';
import {
  expectKeysOnEveryMember,
  memberList,
  readCluster,
  waitHealthy,
  writeKeys,
} from '../support/etcd-cluster-probe.js';
import { installEtcdCrd } from '../support/install-crd.js';
import { runOperator } from '../support/run-operator.js';
import type { RunningOperator } from '../support/run-operator.js';

const clusterDir = process.env[TEST_ENV.clusterDir];
const skipReason = clusterDir
  ? await whyNoNode()
  : `${TEST_ENV.clusterDir} is not set (fault injection needs the folder of a local cluster with nodes)`;
if (skipReason) process.stderr.write(`etcd lost-node e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
jest.retryTimes(1, { logErrorsBeforeRetry: true });
const V36 = '3.6.16';
/** spec.memberFailureTimeoutSeconds of the test cluster: the API's minimum. */
const FAILURE_TIMEOUT_SECONDS = 30;

describeE2E('an etcd member on a lost node', () => {
  let cluster: LocalCluster | undefined;
  let client: Client;
  let faults: Faults;
  let ns: TestNamespace;
  let operator: RunningOperator | undefined;

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startLocalCluster({
      nodes: 3,
      waitForOtherClusterMs: 15 * 60_000,
      onProgress: (line) =>
        process.stderr.write(
          `  lost-node cluster ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s  ${line}\n`,
        ),
    });
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    client = await installEtcdCrd(kc);
    faults = cluster.faults;
    ns = await createTestNamespace(kc, 'etcd-lost-node');
    operator = await runOperator(kc, ns.name);
  }, 20 * 60_000);

  afterAll(async () => {
    await operator?.stop();
    await cluster?.stop({ removeData: true });
  }, 300_000);

  it('is replaced by a new member on another node after the bound, keeping the data and quarantining its PVC', async () => {
    const name = 'lost';
    const key: ObjectKey = { namespace: ns.name, name };
    await client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND }).create({
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_CLUSTER_KIND,
      metadata: { name, namespace: ns.name },
      spec: {
        size: 3,
        version: V36,
        memberFailureTimeoutSeconds: FAILURE_TIMEOUT_SECONDS,
      } as EtcdClusterSpec,
    });
    const before = await waitHealthy(client, key, 3, V36, 240_000);
    const written = await writeKeys(client, key, '/lost-node/', 30);

    // The victim: a member alone on its node (losing that node costs one member only), not the leader.
    const pods = (
      await client
        .resource<Pod>(PodType)
        .list({ namespace: ns.name, labelSelector: clusterSelectorString(name) })
    ).items;
    const onNode = (node: string) => pods.filter((p) => p.spec.nodeName === node).length;
    const leaderId = (await readCluster(client, key)).status?.leaderID;
    const leaderName = before.find((m) => m.id === leaderId)?.name;
    const victimPod = pods.find((p) => onNode(p.spec.nodeName ?? '') === 1 && p.metadata.name !== leaderName);
    if (victimPod === undefined) {
      throw new Error(
        `no non-leader member is alone on its node (${pods.map((p) => `${p.metadata.name}@${p.spec.nodeName}`).join(', ')}): the members' anti-affinity should spread them over the 3 nodes`,
      );
    }
    const victim = victimPod.metadata.name!;
    const node = victimPod.spec.nodeName!;
    const ref = { namespace: ns.name, name: victim, container: 'etcd' };
    await faults.freezeContainer(ref);
    await faults.stopNode(node);
    const lostAt = Date.now();
    try {
      // A new member took its place: 3 healthy voters, the victim not among them.
      const members = await eventually(
        async () => {
          const list = await memberList(client, key);
          expect(list.map((m) => m.name)).not.toContain(victim);
          return waitHealthy(client, key, 3, V36, 5_000);
        },
        { timeout: 300_000, interval: 2000, message: `${victim} replaced by a new member` },
      );
      const replacedAt = Date.now();
      expect(members.map((m) => m.name)).not.toContain(victim);
      // The newcomer runs on another node.
      const newcomers = members.filter((m) => !before.some((b) => b.name === m.name)).map((m) => m.name);
      expect(newcomers).toHaveLength(1);
      const newcomer = await client.resource<Pod>(PodType).get({ namespace: ns.name, name: newcomers[0]! });
      expect(newcomer.spec.nodeName).not.toBe(node);
      // Not before the bound: it was unhealthy at least memberFailureTimeoutSeconds.
      expect(replacedAt - lostAt).toBeGreaterThanOrEqual(FAILURE_TIMEOUT_SECONDS * 1000);

      // The data is all there, on every member.
      await expectKeysOnEveryMember(client, key, written);

      // The lost member's PVC is kept and quarantined, not deleted.
      const pvc = await client
        .resource<PersistentVolumeClaim>(PvcType)
        .get({ namespace: ns.name, name: victim });
      expect(pvc.metadata.deletionTimestamp).toBeUndefined();
      expect(pvc.metadata.labels).toMatchObject({
        [QUARANTINE_LABEL]: expect.stringMatching(/^replaced-[0-9A-Za-z]+$/) as unknown,
        [CLUSTER_LABEL]: name,
        [MEMBER_LABEL]: victim,
      });
      expect((pvc.metadata.ownerReferences ?? []).filter((r) => r.kind === ETCD_CLUSTER_KIND)).toEqual([]);
      expect(pvc.metadata.annotations?.[QUARANTINE_NOTE_ANNOTATION]).toContain('replaced');
      const status = (await readCluster(client, key)).status;
      expect(status?.quarantinedPVCs).toContain(victim);
      // The Warning Event says the PVC is quarantined.
      const event = await eventually(async () => {
        const events = await client
          .resource<{ reason?: string; type?: string; note?: string; metadata: object }>({
            apiVersion: 'events.k8s.io/v1',
            kind: 'Event',
          })
          .list({ namespace: ns.name });
        const found = events.items.find((e) => e.reason === 'RemoveMember' && e.note?.includes(victim));
        expect(found).toMatchObject({ type: 'Warning' });
        return found!;
      });
      expect(event.note).toContain(`its PVC ${victim} is quarantined`);
      process.stderr.write(
        `lost node ${node} (member ${victim}, bound ${FAILURE_TIMEOUT_SECONDS} s): replaced by ${newcomers[0]} on ${newcomer.spec.nodeName} and healthy with 3 voters ${((replacedAt - lostAt) / 1000).toFixed(1)} s after the loss; event: ${event.note}\n`,
      );
    } finally {
      await faults.startNode(node).catch(() => undefined);
      await faults.thawContainer(ref).catch(() => undefined);
    }
  }, 600_000);
});
