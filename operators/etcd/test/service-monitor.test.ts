// The ServiceMonitor of an EtcdCluster against the real API server: with the
// monitoring.coreos.com CRD installed (the manifest the bundled Prometheus
// operator ships, applied only when the cluster lacks it, never removed: other
// suites may use it) the operator's ServiceAccount applies one per cluster,
// owned by it and selecting the peer Service's metrics port, and deletes it on
// opt-out; for a kind the API server does not serve nothing is created and
// nothing fails.
import { readFileSync } from 'node:fs';
import { jest } from '@jest/globals';
import { join } from 'node:path';

import type { Client, KubeObject } from '@switchboard/core';
import { Client as KubeClient, NotFoundError } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';
import { parse } from 'yaml';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../src/api/types.js';
import type { EtcdCluster } from '../src/api/types.js';
import type { ServiceMonitor } from '../src/kube/service-monitor.js';
import {
  ServiceMonitorSupport,
  ServiceMonitorType,
  reconcileServiceMonitor,
} from '../src/kube/service-monitor.js';
import { installEtcdCrd } from './support/install-crd.js';
import { operatorKubeConfig } from './support/run-operator.js';

const SERVICE_MONITOR_CRD = join(
  import.meta.dirname,
  '..',
  '..',
  'prometheus',
  'config',
  'crd',
  'monitoring.coreos.com_servicemonitors.yaml',
);

let admin: Client;
let operator: Client;
let ns: TestNamespace;
let cluster: EtcdCluster;

async function ensureServiceMonitorCrd(client: Client): Promise<void> {
  const support = new ServiceMonitorSupport(client, { ttlMs: 0 });
  if (await support.served()) return;
  const crd = parse(readFileSync(SERVICE_MONITOR_CRD, 'utf8')) as KubeObject & {
    apiVersion: string;
    kind: string;
  };
  await client.resource(crd).create(crd);
  await eventually(async () => expect(await support.served()).toBe(true), { timeout: 30_000 });
}

beforeAll(async () => {
  const kc = testKubeConfig();
  admin = await installEtcdCrd(kc);
  await ensureServiceMonitorCrd(admin);
  ns = await createTestNamespace(kc, 'etcd-monitor');
  operator = KubeClient.fromKubeConfig(await operatorKubeConfig(kc, ns.name));
  // The object only: no operator runs here, so no member Pods are made.
  cluster = await admin
    .resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND })
    .create({
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_CLUSTER_KIND,
      metadata: { name: 'watched', namespace: ns.name },
      spec: { size: 3, version: '3.6.16', storage: { type: 'Ephemeral' } },
    });
});

afterAll(async () => {
  await ns?.delete();
});

describe('ServiceMonitor per EtcdCluster', () => {
  it('is applied when the CRD is installed: owned by the cluster, scraping the peer Service metrics port', async () => {
    const support = new ServiceMonitorSupport(operator);
    expect(await reconcileServiceMonitor(operator, support, cluster)).toBe('applied');
    // Applying again is a no-op, not an error.
    expect(await reconcileServiceMonitor(operator, support, cluster)).toBe('applied');
    const monitor = await admin
      .resource<ServiceMonitor>(ServiceMonitorType)
      .get({ namespace: ns.name, name: 'watched' });
    expect(monitor.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: ETCD_CLUSTER_KIND, name: 'watched', uid: cluster.metadata.uid }),
    ]);
    expect(monitor.spec).toMatchObject({
      selector: { matchLabels: { 'etcd.switchboard.dev/cluster': 'watched' } },
      namespaceSelector: { matchNames: [ns.name] },
      endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http' }],
    });
  });

  it('is deleted when spec.monitoring.serviceMonitor is false', async () => {
    const support = new ServiceMonitorSupport(operator);
    const optOut = { ...cluster, spec: { ...cluster.spec, monitoring: { serviceMonitor: false } } };
    expect(await reconcileServiceMonitor(operator, support, optOut)).toBe('deleted');
    expect(await reconcileServiceMonitor(operator, support, optOut)).toBe('deleted');
    await expect(
      admin.resource<ServiceMonitor>(ServiceMonitorType).get({ namespace: ns.name, name: 'watched' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('is skipped without failing when the API server does not serve the kind, and the answer is cached', async () => {
    let now = 0;
    const support = new ServiceMonitorSupport(operator, {
      type: { apiVersion: 'monitoring.absent.switchboard.dev/v1', kind: 'ServiceMonitor' },
      ttlMs: 60_000,
      now: () => now,
    });
    const lookups = jest.spyOn(operator.discovery, 'resourceFor');
    expect(await reconcileServiceMonitor(operator, support, cluster)).toBe('unsupported');
    now = 59_000;
    expect(await support.served()).toBe(false);
    expect(lookups).toHaveBeenCalledTimes(1);
    now = 61_000;
    expect(await support.served()).toBe(false);
    expect(lookups).toHaveBeenCalledTimes(2);
    lookups.mockRestore();
  });
});
