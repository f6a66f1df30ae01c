// The operator's own metrics as Prometheus sees them: scraped from the
// Manager's /metrics endpoint while the operator (as its ServiceAccount)
// reconciles a paused EtcdCluster on the real API server, next to the
// controller-runtime series; the cluster's series go when it is deleted.
import type { Client, ObjectKey } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../src/api/types.js';
import type { EtcdCluster } from '../src/api/types.js';
import { installEtcdCrd } from './support/install-crd.js';
import { runOperator } from './support/run-operator.js';
import type { RunningOperator } from './support/run-operator.js';

let ns: TestNamespace;
let client: Client;
let operator: RunningOperator;

beforeAll(async () => {
  const kc = testKubeConfig();
  client = await installEtcdCrd(kc);
  ns = await createTestNamespace(kc, 'etcd-metrics');
  operator = await runOperator(kc, ns.name, undefined, { metricsBindAddress: '127.0.0.1:0' });
});

afterAll(async () => {
  await operator?.stop();
  await ns?.delete();
});

async function scrape(): Promise<string[]> {
  const address = operator.manager.metricsAddress;
  if (address === undefined) throw new Error('/metrics not bound yet');
  const res = await fetch(`http://127.0.0.1:${address.port}/metrics`);
  expect(res.status).toBe(200);
  return (await res.text()).split('\n');
}

describe('etcd operator metrics on /metrics', () => {
  it('exports clusters, members by state and reconcile figures, and drops a deleted cluster', async () => {
    const clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
    const key: ObjectKey = { namespace: ns.name, name: 'counted' };
    // Paused: the operator observes and reports, but creates no member.
    await clusters.create({
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_CLUSTER_KIND,
      metadata: key,
      spec: { size: 3, version: '3.6.16', storage: { type: 'Ephemeral' }, paused: true },
    });
    const labels = `namespace="${ns.name}",cluster="counted"`;
    await eventually(
      async () => {
        const lines = await scrape();
        expect(lines).toEqual(
          expect.arrayContaining([
            'etcd_operator_clusters 1',
            `etcd_operator_cluster_available{${labels}} 0`,
            `etcd_operator_members{${labels},state="healthy"} 0`,
            `etcd_operator_members{${labels},state="unhealthy"} 0`,
            `etcd_operator_members{${labels},state="learner"} 0`,
            `etcd_operator_space_recoveries_total{${labels}} 0`,
          ]),
        );
        const reconciles = lines.find((l) =>
          l.startsWith('controller_runtime_reconcile_total{controller="etcdcluster",result="requeue_after"}'),
        );
        expect(Number(reconciles?.split(' ')[1])).toBeGreaterThan(0);
      },
      { timeout: 30_000, message: 'cluster series on /metrics' },
    );

    await clusters.delete(key);
    await eventually(
      async () => {
        const lines = await scrape();
        expect(lines).toContain('etcd_operator_clusters 0');
        expect(lines.filter((l) => l.includes('cluster="counted"'))).toEqual([]);
      },
      { timeout: 30_000, message: 'series removed after deletion' },
    );
  });
});
