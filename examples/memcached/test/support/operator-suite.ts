// The Memcached operator's behaviour against the real API server, written
// once and run for both styles (builder and decorators): whichever wiring
// `addControllers` does, a user sees the same Deployment, Service and status.
import { Client } from '@switchboard/core';
import type { ControllerHost, ObjectKey } from '@switchboard/core';
import { createTestNamespace, eventually, installCrds, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { MemcachedResource } from '../../src/api.js';
import type { Memcached } from '../../src/api.js';
import type { Deployment, Pod, Service } from '../../src/kube-types.js';
import { DeploymentType, PodType, ServiceType } from '../../src/kube-types.js';
import { runOperator } from './harness.js';
import type { RunningOperator } from './harness.js';

/** Declares the API-server suite of one wiring of the operator. */
export function describeMemcachedOperator(
  style: string,
  /** The example's config/rbac: the operator runs as that ServiceAccount. */
  rbacDir: string,
  addControllers: (host: ControllerHost) => void,
): void {
  describe(`Memcached operator (${style}) against the API server`, () => {
    const kc = testKubeConfig();
    const client = Client.fromKubeConfig(kc);
    const memcacheds = MemcachedResource.client(client);
    const deployments = client.resource<Deployment>(DeploymentType);
    const services = client.resource<Service>(ServiceType);
    let ns: TestNamespace;
    let operator: RunningOperator;

    beforeAll(async () => {
      await installCrds(kc, [MemcachedResource.crd()], { fieldManager: 'memcached-tests' });
      ns = await createTestNamespace(kc, `memcached-${style}`);
      operator = await runOperator(kc, ns.name, rbacDir, addControllers);
    });

    afterAll(async () => {
      await operator?.stop();
      await ns?.delete();
    });

    async function create(name: string, size: number): Promise<{ key: ObjectKey; memcached: Memcached }> {
      const memcached = await memcacheds.create({
        apiVersion: MemcachedResource.apiVersion,
        kind: MemcachedResource.kind,
        metadata: { name, namespace: ns.name },
        spec: { size },
      });
      return { key: { namespace: ns.name, name }, memcached };
    }

    it('creates a Deployment of spec.size pods and a Service, both controlled by the Memcached', async () => {
      const { key, memcached } = await create('sample', 2);
      const owner = {
        apiVersion: 'cache.example.com/v1alpha1',
        kind: 'Memcached',
        name: 'sample',
        uid: memcached.metadata.uid,
        controller: true,
      };
      const deployment = await eventually(() => deployments.get(key), {
        timeout: 20_000,
        message: 'Deployment created',
      });
      expect(deployment.spec.replicas).toBe(2);
      expect(deployment.spec.template.spec?.containers[0]?.image).toBe('docker.io/library/memcached:1.6');
      expect(deployment.metadata.ownerReferences).toEqual([expect.objectContaining(owner)]);
      const service = await eventually(() => services.get(key), {
        timeout: 20_000,
        message: 'Service created',
      });
      expect(service.spec.ports?.[0]?.port).toBe(11211);
      expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
      expect(service.metadata.ownerReferences).toEqual([expect.objectContaining(owner)]);
    });

    it('scales the Deployment when spec.size changes', async () => {
      const { key } = await create('scaled', 1);
      await eventually(async () => expect((await deployments.get(key)).spec.replicas).toBe(1), {
        timeout: 20_000,
      });
      await memcacheds.patch(key, { type: 'merge', body: { spec: { size: 3 } } });
      await eventually(async () => expect((await deployments.get(key)).spec.replicas).toBe(3), {
        timeout: 20_000,
      });
      await memcacheds.patch(key, { type: 'merge', body: { spec: { size: 2 } } });
      await eventually(async () => expect((await deployments.get(key)).spec.replicas).toBe(2), {
        timeout: 20_000,
      });
    });

    it('reports its pods by name and an Available condition for the current generation', async () => {
      const { key } = await create('observed', 2);
      await eventually(
        async () => {
          const live = await memcacheds.get(key);
          const pods = await client
            .resource<Pod>(PodType)
            .list({ namespace: ns.name, labelSelector: 'app.kubernetes.io/instance=observed' });
          const names = pods.items.map((p) => p.metadata.name).sort();
          expect(names).toHaveLength(2);
          expect(live.status?.nodes).toEqual(names);
          const available = live.status?.conditions?.find((c) => c.type === 'Available');
          expect(available).toMatchObject({ observedGeneration: live.metadata.generation });
          // Without a node the pods stay Pending; with one they become available.
          expect(['True', 'False']).toContain(available?.status);
        },
        { timeout: 30_000, message: 'status with 2 pod names and an Available condition' },
      );
    });

    it('refuses a size outside 1..5 at the API server', async () => {
      await expect(create('too-big', 6)).rejects.toMatchObject({ code: 422 });
    });

    it('recreates a deleted Deployment', async () => {
      const { key } = await create('healed', 1);
      const first = await eventually(() => deployments.get(key), { timeout: 20_000 });
      await deployments.delete(key);
      await eventually(
        async () => expect((await deployments.get(key)).metadata.uid).not.toBe(first.metadata.uid),
        { timeout: 20_000, message: 'a new Deployment' },
      );
    });
  });
}
