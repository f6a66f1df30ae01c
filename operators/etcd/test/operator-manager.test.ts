// The operator as the binary runs it (core Manager + the EtcdCluster
// controller) against the real API server: creating an EtcdCluster is enough
// for it to react, and deleting the EtcdCluster takes its children along.
import type { Client, ObjectKey } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../src/api/types.js';
import type { EtcdCluster } from '../src/api/types.js';
import type { Pod, Service } from '../src/kube/kube-types.js';
import { PodType, ServiceType } from '../src/kube/kube-types.js';
import { clusterSelectorString } from '../src/kube/labels.js';
import { installEtcdCrd } from './support/install-crd.js';
import { runOperator } from './support/run-operator.js';
import type { RunningOperator } from './support/run-operator.js';

let ns: TestNamespace;
let client: Client;
let operator: RunningOperator;

beforeAll(async () => {
  const kc = testKubeConfig();
  client = await installEtcdCrd(kc);
  ns = await createTestNamespace(kc, 'etcd-manager');
  operator = await runOperator(kc, ns.name);
});

afterAll(async () => {
  await operator?.stop();
  await ns?.delete();
});

describe('etcd operator under a Manager', () => {
  it('reacts to a new EtcdCluster: seed Pod, Services and a Creating status', async () => {
    const clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
    await clusters.create({
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_CLUSTER_KIND,
      metadata: { name: 'watched', namespace: ns.name },
      spec: { size: 3, version: '3.6.16', storage: { type: 'PersistentVolume' } },
    });
    const key: ObjectKey = { namespace: ns.name, name: 'watched' };
    await eventually(
      async () => {
        const status = (await clusters.get(key)).status;
        expect(status?.phase).toBe('Creating');
        const pods = await client
          .resource<Pod>(PodType)
          .list({ namespace: ns.name, labelSelector: clusterSelectorString('watched') });
        expect(pods.items).toHaveLength(1);
        await client.resource<Service>(ServiceType).get({ namespace: ns.name, name: 'watched-client' });
      },
      { timeout: 30_000 },
    );
    // Without a node the seed never answers: the operator waits rather than seeding again.
    await eventually(
      async () => {
        const progressing = (await clusters.get(key)).status?.conditions?.find(
          (c) => c.type === 'Progressing',
        );
        expect(progressing?.reason).toBe('WaitingForSeed');
      },
      { timeout: 30_000 },
    );
    const pods = await client
      .resource<Pod>(PodType)
      .list({ namespace: ns.name, labelSelector: clusterSelectorString('watched') });
    expect(pods.items).toHaveLength(1);
  });
});
