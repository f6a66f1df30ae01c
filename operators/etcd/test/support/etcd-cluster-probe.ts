// Looks at a running etcd cluster from the test, the way a user would: its
// EtcdCluster status, and etcd itself through each member Pod's IP.
import { loadavg } from 'node:os';

import { CoreV1Api } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import type { Client, ObjectKey } from '@switchboard/core';
import { EventuallyTimeoutError, eventually, testKubeConfig } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type { EtcdCluster } from '../../src/api/types.js';
import type { EtcdMember } from '../../src/etcd/etcd-client.js';
import { GatewayEtcdClient } from '../../src/etcd/gateway-client.js';
import type { Pod } from '../../src/kube/kube-types.js';
import { PodType } from '../../src/kube/kube-types.js';
import { clusterSelectorString } from '../../src/kube/labels.js';

/** The EtcdCluster as the API server has it. */
export async function readCluster(client: Client, key: ObjectKey): Promise<EtcdCluster> {
  return client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND }).get(key);
}

/** Running member Pods with IPs, by name. */
export async function memberPods(client: Client, key: ObjectKey): Promise<Pod[]> {
  const list = await client
    .resource<Pod>(PodType)
    .list({ namespace: key.namespace, labelSelector: clusterSelectorString(key.name) });
  return list.items.filter((p) => p.status?.podIP && !p.metadata.deletionTimestamp);
}

/** Gateway clients of every member Pod. */
export async function memberClients(client: Client, key: ObjectKey): Promise<GatewayEtcdClient[]> {
  return (await memberPods(client, key)).map(
    (p) => new GatewayEtcdClient(`http://${p.status?.podIP}:2379`, { timeoutMs: 3000 }),
  );
}

/** The quorum-confirmed member list, from the first member that gives one. */
export async function memberList(client: Client, key: ObjectKey): Promise<EtcdMember[]> {
  for (const c of await memberClients(client, key)) {
    try {
      return (await c.memberList({ linearizable: true })).members;
    } catch {
      // try the next member
    }
  }
  throw new Error('no member answered a linearizable member list');
}

/**
 * Waits until the cluster is Available with exactly `size` healthy voters, no
 * learner, and every member healthy at `version`; returns the member list.
 */
export async function waitHealthy(
  client: Client,
  key: ObjectKey,
  size: number,
  version: string,
  timeout = 120_000,
): Promise<EtcdMember[]> {
  return eventually(
    async () => {
      const cluster = await readCluster(client, key);
      const available = cluster.status?.conditions?.find((c) => c.type === 'Available');
      if (available?.status !== 'True' || cluster.status?.readyMembers !== size) {
        throw new Error(`status: ${JSON.stringify(cluster.status)}`);
      }
      const members = await memberList(client, key);
      if (members.length !== size || members.some((m) => m.isLearner))
        throw new Error(`members: ${JSON.stringify(members)}`);
      for (const c of await memberClients(client, key)) {
        const status = await c.status();
        if (status.version !== version || !(await c.health()))
          throw new Error(`${c.endpoint} at ${status.version}, not healthy yet`);
      }
      return members;
    },
    { timeout, interval: 1000, message: `${key.name} healthy with ${size} voters at ${version}` },
  ).catch(async (err: unknown) => {
    if (!(err instanceof EventuallyTimeoutError)) throw err;
    err.message += `\n--- what the node and the members looked like:\n${await describeClusterState(key)}`;
    throw err;
  });
}

const tail = (text: string, lines: number): string =>
  text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((l) => `    ${l.slice(0, 400)}`)
    .join('\n');

/**
 * What a person debugging a failed wait would look at first: the member Pods
 * (phase, readiness, restarts, IP), the last lines of each member's log, the
 * namespace's recent events, CoreDNS (members find their peers by DNS name)
 * and the machine's load. Never throws.
 */
export async function describeClusterState(key: ObjectKey): Promise<string> {
  const core = testKubeConfig().makeApiClient(CoreV1Api);
  const out: string[] = [
    `load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  ];
  const podLine = (p: V1Pod): string => {
    const c = p.status?.containerStatuses?.[0];
    const ready = p.status?.conditions?.find((x) => x.type === 'Ready')?.status ?? '?';
    const state = c?.state?.waiting?.reason ?? (c?.state?.terminated ? 'Terminated' : '');
    return `  ${p.metadata?.name} ${p.status?.phase} ready=${ready} restarts=${c?.restartCount ?? 0} ip=${p.status?.podIP ?? '-'} ${state}`;
  };
  try {
    const pods = await core.listNamespacedPod({
      namespace: key.namespace ?? 'default',
      labelSelector: clusterSelectorString(key.name),
    });
    out.push('member pods:', ...pods.items.map(podLine));
    for (const p of pods.items) {
      const name = p.metadata?.name ?? '';
      const log = await core
        .readNamespacedPodLog({ name, namespace: key.namespace ?? 'default', tailLines: 12 })
        .catch((e: unknown) => `(no log: ${e instanceof Error ? e.message : String(e)})`);
      out.push(`log of ${name}:`, tail(String(log), 12));
    }
    const events = await core.listNamespacedEvent({ namespace: key.namespace ?? 'default' });
    out.push(
      'recent events:',
      ...events.items
        .slice(-15)
        .map((e) => `  ${e.type} ${e.reason} ${e.involvedObject.name}: ${(e.message ?? '').slice(0, 200)}`),
    );
    const dns = await core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns' });
    out.push('CoreDNS pods:', ...dns.items.map(podLine));
  } catch (err) {
    out.push(`(could not read more: ${err instanceof Error ? err.message : String(err)})`);
  }
  return out.join('\n');
}

/**
 * Every key under `prefix` with its value, in one range read from one member:
 * linearizable, or `serializable` (what that member holds itself, no quorum needed).
 */
export async function readPrefix(
  endpoint: string,
  prefix: string,
  opts: { serializable?: boolean } = {},
): Promise<Map<string, string>> {
  return new GatewayEtcdClient(endpoint).range(prefix, { timeoutMs: 10_000, ...opts });
}

/**
 * Asserts that every member serves every expected key with its value: one
 * range read per member (not one request per key), retried for a while so a
 * slow answer is not mistaken for lost data; a missing or different key fails.
 */
export async function expectKeysOnEveryMember(
  client: Client,
  key: ObjectKey,
  expected: ReadonlyMap<string, string>,
): Promise<void> {
  const prefixes = new Set([...expected.keys()].map((k) => k.slice(0, k.indexOf('/', 1) + 1) || k));
  for (const c of await memberClients(client, key)) {
    await eventually(
      async () => {
        const seen = new Map<string, string>();
        for (const p of prefixes) for (const [k, v] of await readPrefix(c.endpoint, p)) seen.set(k, v);
        const wrong = [...expected].filter(([k, v]) => seen.get(k) !== v);
        if (wrong.length > 0) {
          throw new Error(
            `${c.endpoint} lacks ${wrong.length} of ${expected.size} acknowledged keys, e.g. ${wrong
              .slice(0, 3)
              .map(([k, v]) => `${k}=${v} (has ${seen.get(k) ?? 'nothing'})`)
              .join(', ')}`,
          );
        }
      },
      { timeout: 30_000, interval: 1000, message: `every acknowledged key on ${c.endpoint}` },
    );
  }
}

/**
 * Puts `count` keys `<prefix>000`, `<prefix>001`... (values `v0`, `v1`...)
 * through the first member that answers, each put retried on a slow answer;
 * returns what was written.
 */
export async function writeKeys(
  client: Client,
  key: ObjectKey,
  prefix: string,
  count: number,
): Promise<Map<string, string>> {
  const written = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const k = `${prefix}${String(i).padStart(3, '0')}`;
    await eventually(
      async () => {
        const [writer] = await memberClients(client, key);
        await writer!.put(k, `v${i}`);
      },
      { timeout: 30_000, interval: 500, message: `put ${k}` },
    );
    written.set(k, `v${i}`);
  }
  return written;
}

/**
 * Writes keys continuously through whichever member answers, remembering the
 * acknowledged ones, until stopped; then every acknowledged key must be there.
 */
/** Keys and value of {@link writeLargeKeyspace}: 72,000 keys of 1.3 KB, a snapshot of about 150 MB. */
export const LARGE_KEYSPACE = { prefix: '/big/', keys: 72_000, value: 'y'.repeat(1300) } as const;

/** `/big/000000` .. `/big/071999`, 100 puts at a time through one member: about a minute on 2 cores. */
export async function writeLargeKeyspace(client: Client, key: ObjectKey): Promise<void> {
  const [writer] = await memberClients(client, key);
  const { prefix, keys, value } = LARGE_KEYSPACE;
  for (let i = 0; i < keys; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, keys - i) }, (_, j) =>
        writer!.put(`${prefix}${String(i + j).padStart(6, '0')}`, value),
      ),
    );
  }
}

export function continuousWriter(client: Client, key: ObjectKey): { stop(): Promise<Map<string, string>> } {
  const acked = new Map<string, string>();
  let running = true;
  const loop = (async () => {
    let i = 0;
    while (running) {
      const k = `/writer/${String(i).padStart(6, '0')}`;
      for (const c of await memberClients(client, key).catch(() => [])) {
        try {
          await c.put(k, `v${i}`);
          acked.set(k, `v${i}`);
          i++;
          break;
        } catch {
          // next member
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return acked;
    },
  };
}
