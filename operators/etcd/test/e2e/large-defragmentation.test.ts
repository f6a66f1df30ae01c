// Defragmenting a large member on the real node (issue 18 item 9): etcd
// blocks the member's reads while it rebuilds its database, /livez included
// (a serializable read waiting for the backend's read lock), so a liveness
// probe that gives up sooner than the defragmentation takes kills the member
// half-way, and the operator's next try starts over. A one-member cluster is
// filled to about 1 GB (values of 512 KiB, some keys overwritten, the history
// compacted so the defragmentation has pages to free), then defragmented on
// spec.defragmentation.schedule: the defragmentation is recorded, the member
// is never restarted, and how long /livez was blocked is measured against
// the Pod's own liveness probe.
import { jest } from '@jest/globals';
import type { Client, ObjectKey } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig, whyNoNode } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type { EtcdCluster } from '../../src/api/types.js';
import { GatewayEtcdClient } from '../../src/etcd/gateway-client.js';
import { livenessToleranceSeconds } from '../../src/kube/member-pod.js';
import { memberPods, readCluster, waitHealthy } from '../support/etcd-cluster-probe.js';
import { installEtcdCrd } from '../support/install-crd.js';
import { runOperator } from '../support/run-operator.js';
import type { RunningOperator } from '../support/run-operator.js';

const skipReason = await whyNoNode();
if (skipReason) process.stderr.write(`etcd large defragmentation e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
jest.retryTimes(1, { logErrorsBeforeRetry: true });
const V36 = '3.6.16';
const VALUE_BYTES = 512 * 1024;
/** 2,400 puts of 512 KiB over 2,000 keys: a backend of about 1.2 GB, 1 GB of it live after compaction. */
const PUTS = 2400;
const KEYS = 2000;
const GiB = 1024 * 1024 * 1024;

describeE2E('defragmentation of a large etcd member', () => {
  const kc = skipReason ? undefined! : testKubeConfig();
  let client: Client;
  let ns: TestNamespace;
  let operator: RunningOperator | undefined;

  beforeAll(async () => {
    client = await installEtcdCrd(kc);
    ns = await createTestNamespace(kc, 'etcd-big-defrag');
    operator = await runOperator(kc, ns.name);
  });

  afterAll(async () => {
    await operator?.stop();
    await ns?.delete();
  });

  /** Puts PUTS values of VALUE_BYTES through `c`, 8 at a time; returns the time it took. */
  async function fill(c: GatewayEtcdClient): Promise<number> {
    const started = Date.now();
    const value = 'x'.repeat(VALUE_BYTES);
    let next = 0;
    const worker = async () => {
      while (next < PUTS) {
        const i = next++;
        const k = `/big/${String(i % KEYS).padStart(5, '0')}`;
        await eventually(() => c.put(k, `${i}:${value}`), {
          timeout: 120_000,
          interval: 1000,
          message: `put ${k}`,
        });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return Date.now() - started;
  }

  it('defragments a 1 GB member without its liveness probe restarting it', async () => {
    const key: ObjectKey = { namespace: ns.name, name: `big-${Date.now().toString(36).slice(-5)}` };
    const clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
    await clusters.create({
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_CLUSTER_KIND,
      metadata: key,
      spec: {
        size: 1,
        version: V36,
        storage: { type: 'PersistentVolume', size: '4Gi' },
        etcdOptions: { quotaBackendBytes: 4 * GiB },
      },
    });
    await waitHealthy(client, key, 1, V36, 180_000);
    const [pod] = await memberPods(client, key);
    const ip = pod!.status!.podIP!;
    const member = new GatewayEtcdClient(`http://${ip}:2379`, { timeoutMs: 30_000 });
    const restartsBefore = pod!.status?.containerStatuses?.find((s) => s.name === 'etcd')?.restartCount ?? -1;

    const fillMs = await fill(member);
    const filled = await member.status();
    await member.compact(filled.revision!);
    const compacted = await member.status();
    expect(compacted.dbSize).toBeGreaterThan(1_000_000_000);

    // Watch /livez from outside, as the kubelet does (a 5 s timeout, once a second).
    let watching = true;
    let blockedSince: number | undefined;
    let longestBlockMs = 0;
    const watcher = (async () => {
      while (watching) {
        const at = Date.now();
        const ok = await fetch(`http://${ip}:2381/livez`, { signal: AbortSignal.timeout(5000) })
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) blockedSince = undefined;
        else {
          blockedSince ??= at;
          longestBlockMs = Math.max(longestBlockMs, Date.now() - blockedSince);
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - at))));
      }
    })();

    await clusters.patch(key, {
      type: 'merge',
      body: { spec: { defragmentation: { schedule: '@every 5s' } } },
    });
    let since = Date.now();
    try {
      // The schedule counts from when it was first seen (recorded as lastDefragmentationTime).
      since = await eventually(
        async () => {
          const at = (await readCluster(client, key)).status?.space?.lastDefragmentationTime;
          expect(at).toBeDefined();
          return Date.parse(at!);
        },
        { timeout: 30_000, message: 'the schedule recorded' },
      );
      await eventually(
        async () => {
          const c = await readCluster(client, key);
          expect(Date.parse(c.status?.space?.lastDefragmentationTime ?? '')).toBeGreaterThan(since);
          expect(c.status?.space?.recovery).toBeUndefined();
        },
        { timeout: 400_000, interval: 1000, message: 'a scheduled defragmentation of the 1 GB member' },
      );
    } finally {
      watching = false;
      await watcher;
      await clusters.patch(key, { type: 'merge', body: { spec: { defragmentation: null } } });
    }
    const defragmentedAt = Date.now();
    const after = await member.status();
    // The freed pages went back: the file shrank to about the live data.
    expect(after.dbSize).toBeLessThan(compacted.dbSize);

    // Never restarted: the same Pod, the same container restart count.
    const [podAfter] = await memberPods(client, key);
    expect(podAfter!.metadata.uid).toBe(pod!.metadata.uid);
    expect(podAfter!.status?.containerStatuses?.find((s) => s.name === 'etcd')?.restartCount).toBe(
      restartsBefore,
    );
    // What the kubelet tolerates outlasts what /livez was blocked.
    const probe = podAfter!.spec.containers[0]!.livenessProbe!;
    const tolerated = livenessToleranceSeconds({
      periodSeconds: probe.periodSeconds!,
      timeoutSeconds: probe.timeoutSeconds!,
      failureThreshold: probe.failureThreshold!,
    });
    expect(longestBlockMs / 1000).toBeLessThan(tolerated);
    process.stderr.write(
      `large defragmentation: filled ${PUTS} x ${VALUE_BYTES} B in ${(fillMs / 1000).toFixed(1)} s; backend ${compacted.dbSize} B (in use ${compacted.dbSizeInUse ?? '?'}) -> ${after.dbSize} B; /livez blocked for ${(longestBlockMs / 1000).toFixed(1)} s at most (liveness tolerates ${tolerated} s); schedule set to recorded ${((defragmentedAt - since) / 1000).toFixed(1)} s\n`,
    );
  }, 900_000);
});
