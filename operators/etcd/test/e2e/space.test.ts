// Space management on the real node: a 3-member cluster with a tiny backend
// quota is filled with history (the same keys overwritten with large values)
// until etcd refuses writes with "database space exceeded" and raises
// NOSPACE. The operator compacts, defragments each member (the leader last)
// and disarms the alarm; writes are accepted again and the latest value of
// every key is still there; the same over https for a cluster with client
// TLS. A schedule defragments every member.
import { jest } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Client, ObjectKey } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig, whyNoNode } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../../src/api/types.js';
import { EtcdRequestError } from '../../src/etcd/etcd-client.js';
import { GatewayEtcdClient } from '../../src/etcd/gateway-client.js';
import { prepareClusterTLS } from '../../src/controller/ensure-tls.js';
import {
  expectKeysOnEveryMember,
  memberClients,
  memberPods,
  readCluster,
  waitHealthy,
} from '../support/etcd-cluster-probe.js';
import { installEtcdCrd } from '../support/install-crd.js';
import { runOperator } from '../support/run-operator.js';
import type { RunningOperator } from '../support/run-operator.js';

const skipReason = await whyNoNode();
if (skipReason) process.stderr.write(`etcd space e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
// One retry, with the first failure logged (see member-faults.test.ts for why).
jest.retryTimes(1, { logErrorsBeforeRetry: true });
const V36 = '3.6.16';
// 8 MiB: a few hundred 16 KiB overwrites of 8 keys fill it with old versions.
const QUOTA = 8 * 1024 * 1024;
const KEYS = 8;

interface EventObject {
  metadata: object;
  reason?: string;
  note?: string;
  regarding?: { name?: string };
}

describeE2E('etcd space management on a real node', () => {
  const kc: KubeConfig = skipReason ? undefined! : testKubeConfig();
  let client: Client;
  let ns: TestNamespace;
  let operator: RunningOperator | undefined;
  let attempt = 0;

  beforeAll(async () => {
    client = await installEtcdCrd(kc);
    ns = await createTestNamespace(kc, 'etcd-space');
    operator = await runOperator(kc, ns.name);
  });

  afterAll(async () => {
    await operator?.stop();
    await ns?.delete();
  });

  /** A 3-member cluster, named anew per attempt (a retry must not meet the first attempt's cluster). */
  async function createClusterObject(
    prefix: string,
    spec: Partial<EtcdClusterSpec>,
  ): Promise<{ key: ObjectKey; cluster: EtcdCluster }> {
    const key: ObjectKey = { namespace: ns.name, name: `${prefix}-${++attempt}` };
    const cluster = await client
      .resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND })
      .create({
        apiVersion: ETCD_API_VERSION,
        kind: ETCD_CLUSTER_KIND,
        metadata: key,
        spec: {
          size: 3,
          version: V36,
          storage: { type: 'PersistentVolume', size: '256Mi' },
          ...spec,
        },
      });
    return { key, cluster };
  }

  /** A healthy 3-member cluster (plain http), named anew per attempt. */
  async function createCluster(prefix: string, spec: Partial<EtcdClusterSpec>): Promise<ObjectKey> {
    const { key } = await createClusterObject(prefix, spec);
    await waitHealthy(client, key, 3, V36);
    return key;
  }

  async function eventsOf(key: ObjectKey): Promise<EventObject[]> {
    const list = await client
      .resource<EventObject>({ apiVersion: 'events.k8s.io/v1', kind: 'Event' })
      .list({ namespace: ns.name });
    return list.items.filter((e) => e.regarding?.name === key.name);
  }

  /** Puts `value`, retrying a slow answer (the same value again is harmless); NOSPACE is returned, not retried. */
  async function put(c: GatewayEtcdClient, key: string, value: string): Promise<'ok' | 'nospace'> {
    for (let attempt = 1; ; attempt++) {
      try {
        await c.put(key, value);
        return 'ok';
      } catch (err) {
        if (err instanceof EtcdRequestError && err.reason === 'NoSpace') return 'nospace';
        if (attempt >= 3) throw err;
      }
    }
  }

  /**
   * Overwrites KEYS keys with 16 KiB values through `writer` until etcd
   * refuses with NOSPACE, then waits until `clients()` accept writes again
   * (the operator compacted, defragmented and disarmed). Returns the latest
   * value of every key, `/space/after` included.
   */
  async function fillThenRecover(
    writer: GatewayEtcdClient,
    clients: () => Promise<GatewayEtcdClient[]>,
    label: string,
  ): Promise<Map<string, string>> {
    const latest = new Map<string, string>();
    const value = (i: number) => `${i}:`.padEnd(16 * 1024, 'x');
    let writes = 0;
    const fillStarted = Date.now();
    for (; writes < 5000; writes++) {
      const k = `/space/${writes % KEYS}`;
      if ((await put(writer, k, value(writes))) === 'nospace') break;
      latest.set(k, value(writes));
    }
    const refusedAt = Date.now();
    expect(writes).toBeLessThan(5000);
    process.stderr.write(
      `${label}: NOSPACE after ${writes} writes of 16 KiB (quota ${QUOTA} bytes) in ${((refusedAt - fillStarted) / 1000).toFixed(1)} s\n`,
    );

    // Writes come back once the operator has compacted, defragmented and disarmed.
    await eventually(
      async () => {
        const [first] = await clients();
        expect(await first!.alarms()).toEqual([]);
        expect(await put(first!, '/space/after', 'accepted')).toBe('ok');
      },
      { timeout: 180_000, interval: 1000, message: 'alarm disarmed and writes accepted' },
    );
    const acceptedAt = Date.now();
    process.stderr.write(
      `${label}: time from NOSPACE to writes accepted again: ${((acceptedAt - refusedAt) / 1000).toFixed(1)} s\n`,
    );
    return new Map([...latest, ['/space/after', 'accepted']]);
  }

  it('compacts, defragments and disarms a cluster that hit NOSPACE, which accepts writes again', async () => {
    // A new name per attempt: a retry must not meet the first attempt's cluster.
    const key = await createCluster('full', { etcdOptions: { quotaBackendBytes: QUOTA } });

    // Once per attempt, right before the part that needs it: suites of other
    // branches sharing a test cluster apply their own EtcdCluster CRD, whose
    // older schema prunes status.space.
    await installEtcdCrd(kc);
    const [writer] = await memberClients(client, key);
    const latest = await fillThenRecover(writer!, () => memberClients(client, key), 'plain http');

    await expectKeysOnEveryMember(client, key, latest);
    const cluster = await eventually(
      async () => {
        const c = await readCluster(client, key);
        expect(c.status?.space?.lastRecoveryTime).toBeDefined();
        expect(c.status?.space?.recovery).toBeUndefined();
        expect(c.status?.conditions?.find((x) => x.type === 'Degraded')).toMatchObject({ status: 'False' });
        // The pass that records the finish is still Recovering; the next one is Running.
        expect(c.status?.phase).toBe('Running');
        return c;
      },
      { timeout: 60_000, message: 'status records the finished recovery' },
    );
    expect(cluster.status?.readyMembers).toBe(3);
    for (const c of await memberClients(client, key)) {
      const status = await c.status();
      process.stderr.write(`${c.endpoint}: db ${status.dbSize} bytes, ${status.dbSizeInUse} in use\n`);
      expect(status.dbSize).toBeLessThan(QUOTA);
    }

    // Each stage left an Event; the members were defragmented one at a time, the leader last.
    const events = await eventually(
      async () => {
        const mine = await eventsOf(key);
        const reasons = new Set(mine.map((e) => e.reason));
        for (const r of ['CompactForSpace', 'DefragmentMember', 'DisarmNoSpace', 'FinishSpaceRecovery'])
          expect(reasons).toContain(r);
        return mine;
      },
      { timeout: 30_000, message: 'an Event for every stage' },
    );
    const defrags = events.filter((e) => e.reason === 'DefragmentMember').map((e) => e.note ?? '');
    expect(defrags.length).toBeGreaterThanOrEqual(3);
    expect(defrags.filter((n) => n.includes('the leader, last'))).toHaveLength(1);
  }, 600_000);

  it('recovers a cluster with client TLS from NOSPACE, reaching its members over https', async () => {
    const { key, cluster } = await createClusterObject('full-tls', {
      etcdOptions: { quotaBackendBytes: QUOTA },
      tls: { client: { generate: true } },
    });
    // waitHealthy's probes speak plain http: status says when it is healthy.
    await eventually(
      async () => {
        const status = (await readCluster(client, key)).status;
        expect(status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
        expect(status?.readyMembers).toBe(3);
      },
      { timeout: 180_000, interval: 1000, message: `${key.name} Available with 3 members` },
    );
    await installEtcdCrd(kc); // see above: status.space must survive
    // The operator's own client certificate (the Secret it generated), checked against the members' name.
    const { material } = await prepareClusterTLS(client, cluster, 'pod-ip', { issue: false });
    const opened: GatewayEtcdClient[] = [];
    const tlsClients = async () =>
      (await memberPods(client, key)).map((p) => {
        const c = new GatewayEtcdClient(`https://${p.status?.podIP}:2379`, {
          timeoutMs: 3000,
          ...(material ? { tls: material } : {}),
        });
        opened.push(c);
        return c;
      });
    try {
      const [writer] = await tlsClients();
      const latest = await fillThenRecover(writer!, tlsClients, 'client TLS');
      for (const c of await tlsClients()) {
        const [k, v] = [...latest][0]!;
        expect(await c.get(k, { serializable: true })).toBe(v);
      }
      const done = await eventually(
        async () => {
          const c = await readCluster(client, key);
          expect(c.status?.space?.lastRecoveryTime).toBeDefined();
          expect(c.status?.space?.recovery).toBeUndefined();
          return c;
        },
        { timeout: 60_000, message: 'status records the finished recovery' },
      );
      expect(done.status?.readyMembers).toBe(3);
    } finally {
      await Promise.all(opened.map((c) => c.close()));
    }
  }, 600_000);

  it('defragments every member on spec.defragmentation.schedule, one at a time, the leader last', async () => {
    const key = await createCluster('scheduled', {});
    await installEtcdCrd(kc); // see above: status.space must survive
    const clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
    await clusters.patch(key, {
      type: 'merge',
      body: { spec: { defragmentation: { schedule: '@every 5s' } } },
    });
    // The schedule counts from when it was first seen.
    const since = await eventually(
      async () => {
        const at = (await readCluster(client, key)).status?.space?.lastDefragmentationTime;
        expect(at).toBeDefined();
        return Date.parse(at!);
      },
      { timeout: 30_000, message: 'the schedule recorded' },
    );
    const finished = await eventually(
      async () => {
        const c = await readCluster(client, key);
        expect(Date.parse(c.status?.space?.lastDefragmentationTime ?? '')).toBeGreaterThan(since);
        expect(c.status?.space?.lastRecoveryTime).toBeUndefined();
        const scheduled = (await eventsOf(key)).filter((e) =>
          (e.note ?? '').startsWith('scheduled defragmentation'),
        );
        const defrags = scheduled.filter((e) => e.reason === 'DefragmentMember').map((e) => e.note ?? '');
        expect(defrags.length).toBeGreaterThanOrEqual(3);
        expect(defrags.filter((n) => n.includes('the leader, last')).length).toBeGreaterThanOrEqual(1);
        expect(scheduled.some((e) => e.reason === 'FinishSpaceRecovery')).toBe(true);
        return Date.parse(c.status!.space!.lastDefragmentationTime!);
      },
      { timeout: 90_000, interval: 1000, message: 'a scheduled defragmentation of every member' },
    );
    process.stderr.write(
      `scheduled defragmentation (@every 5s) of 3 members finished ${((finished - since) / 1000).toFixed(1)} s after the schedule was set\n`,
    );
    await clusters.patch(key, { type: 'merge', body: { spec: { defragmentation: null } } });
  }, 600_000);
});
