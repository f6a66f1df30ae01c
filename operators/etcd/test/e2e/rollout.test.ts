// Spec changes rolled out to existing members on the local cluster's real
// node: the members' Pods are recreated one at a time from the new template,
// followers first and the leader last, on their own data.
import { jest } from '@jest/globals';
import type { Client, KubeObject, ObjectKey } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig, whyNoNode } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../../src/api/types.js';
import type { Pod } from '../../src/kube/kube-types.js';
import { PodType, PvcType } from '../../src/kube/kube-types.js';
import { clusterSelectorString } from '../../src/kube/labels.js';
import { installEtcdCrd } from '../support/install-crd.js';
import {
  continuousWriter,
  expectKeysOnEveryMember,
  memberPods,
  readCluster,
  waitHealthy,
  writeKeys,
} from '../support/etcd-cluster-probe.js';
import { runOperator } from '../support/run-operator.js';
import type { RunningOperator } from '../support/run-operator.js';

const skipReason = await whyNoNode();
if (skipReason) process.stderr.write(`etcd operator rollout e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
// One retry, with the first failure logged: on a loaded 2-core machine the
// local cluster's DNS has dropped out for minutes (see cluster-lifecycle.test.ts).
jest.retryTimes(1, { logErrorsBeforeRetry: true });
const V35 = '3.5.35';
const V36 = '3.6.16';
const NEW_QUOTA = 3 * 1024 ** 3;
const NEW_QUOTA_FLAG = `--quota-backend-bytes=${NEW_QUOTA}`;

describeE2E('spec changes rolled out to existing members', () => {
  const kc = skipReason ? undefined! : testKubeConfig();
  let client: Client;
  let ns: TestNamespace;
  let operator: RunningOperator | undefined;

  beforeAll(async () => {
    client = await installEtcdCrd(kc);
    ns = await createTestNamespace(kc, 'etcd-rollout');
    operator = await runOperator(kc, ns.name);
  });

  afterAll(async () => {
    await operator?.stop();
    await ns?.delete();
  });

  const clusters = () =>
    client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });

  /** Member Pods not being deleted, with the etcd container's args. */
  async function podArgs(key: ObjectKey): Promise<Map<string, string[]>> {
    const pods = await client
      .resource<Pod>(PodType)
      .list({ namespace: key.namespace, labelSelector: clusterSelectorString(key.name) });
    return new Map(
      pods.items
        .filter((p) => !p.metadata.deletionTimestamp)
        .map((p) => [p.metadata.name!, p.spec?.containers[0]?.args ?? []]),
    );
  }

  /** The cluster's RollMember and MoveLeader Events, oldest first. */
  async function rolloutEvents(key: ObjectKey): Promise<{ reason?: string; note?: string }[]> {
    const events = await client
      .resource<
        KubeObject & { reason?: string; note?: string; eventTime?: string; regarding?: { name?: string } }
      >({ apiVersion: 'events.k8s.io/v1', kind: 'Event' })
      .list({ namespace: key.namespace });
    return events.items
      .filter(
        (e) => e.regarding?.name === key.name && (e.reason === 'RollMember' || e.reason === 'MoveLeader'),
      )
      .sort((a, b) => (a.eventTime ?? '').localeCompare(b.eventTime ?? ''));
  }

  /** Creates a 3-member cluster at V36 (a fresh name per attempt: jest retries a test once). */
  async function createCluster(
    prefix: string,
    storage: EtcdClusterSpec['storage'],
    more: Partial<EtcdClusterSpec> = {},
  ): Promise<ObjectKey> {
    const key = { namespace: ns.name, name: `${prefix}-${Math.random().toString(36).slice(2, 7)}` };
    await clusters().create({
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_CLUSTER_KIND,
      metadata: key,
      spec: { size: 3, version: V36, storage, ...more },
    });
    return key;
  }

  it('recreates every member from the new template after spec.etcdOptions.quotaBackendBytes changes, leader last, keeping data and member IDs', async () => {
    const key = await createCluster('rolled', { type: 'PersistentVolume', size: '256Mi' });
    const before = await waitHealthy(client, key, 3, V36);
    const pvcUids = async () =>
      (
        await client
          .resource(PvcType)
          .list({ namespace: ns.name, labelSelector: clusterSelectorString(key.name) })
      ).items
        .map((p) => `${p.metadata.name}=${p.metadata.uid}`)
        .sort();
    const volumesBefore = await pvcUids();
    const written = await writeKeys(client, key, '/rollout/', 50);
    const status = (await readCluster(client, key)).status;
    const leader = status?.members?.find((m) => m.id === status.leaderID)?.name;
    expect(leader).toBeDefined();
    expect(status?.updatedMembers).toBe(3);

    const writer = continuousWriter(client, key);
    await clusters().patch(key, {
      type: 'merge',
      body: { spec: { etcdOptions: { quotaBackendBytes: NEW_QUOTA } } },
    });
    // The order in which member Pods came back with the new flag, and the most members down at once.
    const updatedOrder: string[] = [];
    let maxDownAtOnce = 0;
    const started = Date.now();
    await eventually(
      async () => {
        const args = await podArgs(key);
        for (const [name, a] of args)
          if (a.includes(NEW_QUOTA_FLAG) && !updatedOrder.includes(name)) updatedOrder.push(name);
        // Down: its Pod is gone, terminating or not Ready (the kubelet's /readyz probe, which
        // a loaded machine does not fail as easily as a one-shot request from the test).
        const ready = (await memberPods(client, key)).filter((p) =>
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        ).length;
        maxDownAtOnce = Math.max(maxDownAtOnce, 3 - ready);
        const cluster = await readCluster(client, key);
        if (args.size !== 3 || [...args.values()].some((a) => !a.includes(NEW_QUOTA_FLAG)))
          throw new Error(
            `updated so far: ${updatedOrder.join(', ')}; status ${JSON.stringify(cluster.status)}`,
          );
      },
      { timeout: 360_000, interval: 500, message: `every member Pod started with ${NEW_QUOTA_FLAG}` },
    );
    process.stderr.write(`rollout of 3 members: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

    const after = await waitHealthy(client, key, 3, V36);
    // Recreated on their own PVCs: the same etcd members, the same volumes.
    expect(after.map((m) => m.id).sort()).toEqual(before.map((m) => m.id).sort());
    expect(await pvcUids()).toEqual(volumesBefore);
    expect(updatedOrder).toHaveLength(3);
    expect(updatedOrder[2]).toBe(leader);
    expect(maxDownAtOnce).toBeLessThanOrEqual(1);
    await eventually(
      async () => {
        const s = (await readCluster(client, key)).status;
        expect(s).toMatchObject({ phase: 'Running', updatedMembers: 3 });
      },
      { timeout: 60_000, interval: 1000, message: 'status Running with 3 updated members' },
    );
    // The operator's own record: three single-member recreations, leadership moved before the last.
    const steps = await rolloutEvents(key);
    expect(steps.map((e) => e.reason)).toEqual(['RollMember', 'RollMember', 'MoveLeader', 'RollMember']);
    expect(steps[3]?.note).toContain(`recreating the Pod of ${leader}`);
    expect(steps[0]?.note).toContain('rolling out the member template: 0 of 3 updated');
    await expectKeysOnEveryMember(client, key, new Map([...written, ...(await writer.stop())]));
  }, 600_000);

  it('replaces members on ephemeral storage one at a time, leader last, instead of deleting their data with the Pod', async () => {
    const key = await createCluster('ephemeral', { type: 'Ephemeral' });
    const before = await waitHealthy(client, key, 3, V36);
    const written = await writeKeys(client, key, '/rollout/', 50);
    const status = (await readCluster(client, key)).status;
    const leader = status?.members?.find((m) => m.id === status.leaderID)?.name;
    expect(leader).toBeDefined();
    const writer = continuousWriter(client, key);
    await clusters().patch(key, {
      type: 'merge',
      body: { spec: { etcdOptions: { quotaBackendBytes: NEW_QUOTA } } },
    });
    await eventually(
      async () => {
        const args = await podArgs(key);
        const s = (await readCluster(client, key)).status;
        if (
          args.size !== 3 ||
          [...args.values()].some((a) => !a.includes(NEW_QUOTA_FLAG)) ||
          s?.updatedMembers !== 3
        )
          throw new Error(`Pods ${[...args.keys()].join(', ')}; status ${JSON.stringify(s)}`);
      },
      { timeout: 480_000, interval: 1000, message: `3 member Pods started with ${NEW_QUOTA_FLAG}` },
    );
    const after = await waitHealthy(client, key, 3, V36);
    // Replaced, not restarted: three new members, none of the old ones.
    const oldIds = new Set(before.map((m) => m.id));
    expect(after.filter((m) => oldIds.has(m.id))).toEqual([]);
    const removed = (await rolloutEvents(key)).filter((e) => e.reason === 'RollMember');
    expect(removed).toHaveLength(3);
    expect(removed[2]?.note).toContain(`replacing ${leader}`);
    await expectKeysOnEveryMember(client, key, new Map([...written, ...(await writer.stop())]));
  }, 600_000);

  it('upgrades a peer-TLS cluster 3.5 -> 3.6 by recreating each member with the 3.6 spelling of the renamed flag', async () => {
    const key = await createCluster(
      'renamed',
      { type: 'PersistentVolume', size: '256Mi' },
      { version: V35, tls: { peer: { generate: true } } },
    );
    const before = await waitHealthy(client, key, 3, V35);
    for (const args of (await podArgs(key)).values())
      expect(args).toContain('--experimental-peer-skip-client-san-verification=true');
    const written = await writeKeys(client, key, '/renamed/', 50);
    await clusters().patch(key, { type: 'merge', body: { spec: { version: V36 } } });
    await eventually(
      async () => {
        const args = await podArgs(key);
        const renamed = [...args.values()].filter(
          (a) =>
            a.includes('--peer-skip-client-san-verification=true') &&
            !a.some((f) => f.startsWith('--experimental-')),
        );
        if (args.size !== 3 || renamed.length !== 3)
          throw new Error(`${renamed.length} of ${args.size} Pods renamed`);
      },
      { timeout: 360_000, interval: 1000, message: 'every member Pod with the 3.6 flag' },
    );
    const after = await waitHealthy(client, key, 3, V36, 180_000);
    expect(after.map((m) => m.id).sort()).toEqual(before.map((m) => m.id).sort());
    const events = await client
      .resource<KubeObject & { reason?: string; note?: string; regarding?: { name?: string } }>({
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
      })
      .list({ namespace: ns.name });
    const upgrades = events.items.filter(
      (e) => e.regarding?.name === key.name && e.reason === 'UpgradeMember',
    );
    expect(upgrades).toHaveLength(3);
    for (const e of upgrades) expect(e.note).toContain('recreating its Pod from the current template');
    await expectKeysOnEveryMember(client, key, written);
  }, 600_000);
});
