// The CRD's schema and CEL rules, proven against the real API server: each
// invalid spec is refused with a message naming the field, valid changes pass.
import type { Client, ResourceClient } from '@switchboard/core';
import { createTestNamespace, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../src/api/types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../src/api/types.js';
import { installEtcdCrd } from './support/install-crd.js';
import { rejection } from './support/rejection.js';

let ns: TestNamespace;
let client: Client;
let clusters: ResourceClient<EtcdCluster>;

beforeAll(async () => {
  const kc = testKubeConfig();
  client = await installEtcdCrd(kc);
  ns = await createTestNamespace(kc, 'etcd-crd');
  clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
});

afterAll(async () => {
  await ns?.delete();
});

function cluster(name: string, spec: Partial<EtcdClusterSpec>): EtcdCluster {
  return {
    apiVersion: ETCD_API_VERSION,
    kind: ETCD_CLUSTER_KIND,
    metadata: { name, namespace: ns.name },
    spec: spec as EtcdClusterSpec,
  };
}

describe('EtcdCluster validation by the API server', () => {
  it('fills in defaults: size 3, persistent storage, preferred anti-affinity', async () => {
    const created = await clusters.create(cluster('defaults', {}));
    expect(created.spec).toMatchObject({
      size: 3,
      storage: { type: 'PersistentVolume', size: '1Gi' },
      antiAffinity: 'Preferred',
      paused: false,
    });
    expect(created.spec.version).toMatch(/^3\.\d+\.\d+$/);
  });

  it.each([0, 10, -1])('rejects size %i, naming spec.size', async (size) => {
    const message = await rejection(clusters.create(cluster(`size-${size < 0 ? 'neg' : size}`, { size })));
    expect(message).toContain('spec.size must be between 1 and 9');
  });

  it('rejects a version that is not X.Y.Z, naming spec.version', async () => {
    const message = await rejection(clusters.create(cluster('bad-version', { version: 'latest' })));
    expect(message).toContain('spec.version');
  });

  it('rejects a downgrade, naming spec.version and both versions', async () => {
    await clusters.create(cluster('downgrade', { version: '3.6.16' }));
    const message = await rejection(
      clusters.patch(
        { namespace: ns.name, name: 'downgrade' },
        { type: 'merge', body: { spec: { version: '3.5.35' } } },
      ),
    );
    expect(message).toContain('spec.version cannot be downgraded from 3.6.16 to 3.5.35');
  });

  it('rejects skipping a minor version, and accepts one minor up', async () => {
    await clusters.create(cluster('skip', { version: '3.4.30' }));
    const key = { namespace: ns.name, name: 'skip' };
    const message = await rejection(
      clusters.patch(key, { type: 'merge', body: { spec: { version: '3.6.16' } } }),
    );
    expect(message).toContain('spec.version cannot skip a minor version: from 3.4.30 to 3.6.16');
    const upgraded = await clusters.patch(key, { type: 'merge', body: { spec: { version: '3.5.35' } } });
    expect(upgraded.spec.version).toBe('3.5.35');
  });

  it('rejects any storage change after creation, naming spec.storage', async () => {
    await clusters.create(cluster('storage', { storage: { type: 'PersistentVolume', size: '1Gi' } }));
    const key = { namespace: ns.name, name: 'storage' };
    const grow = await rejection(
      clusters.patch(key, { type: 'merge', body: { spec: { storage: { size: '2Gi' } } } }),
    );
    expect(grow).toContain('spec.storage is immutable after creation');
    const ephemeral = await rejection(
      clusters.patch(key, { type: 'merge', body: { spec: { storage: { type: 'Ephemeral' } } } }),
    );
    expect(ephemeral).toContain('spec.storage is immutable after creation');
  });

  it('rejects a defragmentation schedule that is not cron, a macro or @every, naming the field', async () => {
    const message = await rejection(
      clusters.create(cluster('bad-defrag', { defragmentation: { schedule: 'every day' } })),
    );
    expect(message).toContain('spec.defragmentation.schedule must be a 5-field cron expression');
    const good = await clusters.create(
      cluster('good-defrag', { defragmentation: { schedule: '@every 1h' } }),
    );
    expect(good.spec.defragmentation).toEqual({ schedule: '@every 1h' });
  });

  it('defaults spec.monitoring.serviceMonitor to true when monitoring is given, and takes false', async () => {
    const on = await clusters.create(cluster('monitored', { monitoring: {} }));
    expect(on.spec.monitoring).toEqual({ serviceMonitor: true });
    const off = await clusters.create(cluster('unmonitored', { monitoring: { serviceMonitor: false } }));
    expect(off.spec.monitoring).toEqual({ serviceMonitor: false });
  });

  it('accepts changes to size and pause', async () => {
    await clusters.create(cluster('mutable', { size: 3 }));
    const updated = await clusters.patch(
      { namespace: ns.name, name: 'mutable' },
      { type: 'merge', body: { spec: { size: 5, paused: true } } },
    );
    expect(updated.spec).toMatchObject({ size: 5, paused: true });
  });
});
