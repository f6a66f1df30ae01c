import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig, V1CustomResourceDefinition } from '@kubernetes/client-node';

import { createTestNamespace, eventually, testKubeConfig } from '../src/index.js';
import type { TestNamespace } from '../src/index.js';

const group = 'cp-test.switchboard.dev';

function widgetCrd(): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { min: { type: 'integer' }, max: { type: 'integer' } },
                  x_kubernetes_validations: [
                    { rule: 'self.min <= self.max', message: 'spec.min must not exceed spec.max' },
                  ],
                },
              },
            },
          },
        },
      ],
    },
  };
}

describe('the local control plane', () => {
  let kc: KubeConfig;
  let ns: TestNamespace;

  beforeAll(async () => {
    kc = testKubeConfig();
    ns = await createTestNamespace(kc, 'control-plane');
  });
  afterAll(async () => {
    await ns.delete();
    await kc
      .makeApiClient(ApiextensionsV1Api)
      .deleteCustomResourceDefinition({ name: `widgets.${group}` })
      .catch(() => undefined);
  });

  it('establishes an applied CRD, and its CEL rule rejects a bad object with the rule message', async () => {
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({ body: widgetCrd() });
    await eventually(
      async () => {
        const crd = await ext.readCustomResourceDefinition({ name: `widgets.${group}` });
        const established = crd.status?.conditions?.find((c) => c.type === 'Established');
        expect(established?.status).toBe('True');
      },
      { message: 'CRD Established' },
    );

    const objects = kc.makeApiClient(CustomObjectsApi);
    const create = (name: string, spec: { min: number; max: number }) =>
      objects.createNamespacedCustomObject({
        group,
        version: 'v1',
        namespace: ns.name,
        plural: 'widgets',
        body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name }, spec },
      });
    // Discovery of a new CRD can lag its Established condition by a moment.
    await eventually(() => create('good', { min: 1, max: 3 }), { message: 'good widget accepted' });
    await expect(create('bad', { min: 5, max: 3 })).rejects.toMatchObject({
      code: 422,
      body: expect.stringContaining('spec.min must not exceed spec.max'),
    });
  });

  it('deletes a namespace completely (the controller-manager finalizes it)', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const doomed = await createTestNamespace(kc, 'doomed');
    await core.createNamespacedConfigMap({
      namespace: doomed.name,
      body: { metadata: { name: 'x' }, data: { a: 'b' } },
    });
    await doomed.delete();
    await eventually(
      async () => {
        const err = await core.readNamespace({ name: doomed.name }).then(
          (n) => new Error(`still there, phase ${n.status?.phase}`),
          (e: unknown) => e,
        );
        expect(err).toMatchObject({ code: 404 });
      },
      { timeout: 60_000, message: 'namespace gone' },
    );
  });

  it('gives a Deployment a ReplicaSet and Pods (the scheduler and controllers run)', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    await apps.createNamespacedDeployment({
      namespace: ns.name,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.10.1' }] },
          },
        },
      },
    });
    await eventually(
      async () => {
        const rs = await apps.listNamespacedReplicaSet({ namespace: ns.name, labelSelector: 'app=web' });
        expect(rs.items).toHaveLength(1);
        const pods = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=web' });
        expect(pods.items).toHaveLength(2);
        for (const pod of pods.items) {
          expect(pod.metadata?.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
        }
      },
      { timeout: 60_000, message: 'ReplicaSet and 2 Pods' },
    );
  });
});
