// What a Prometheus under test needs around it, made the way a user would:
// the ServiceAccount it runs as (allowed to discover in its namespace; the
// operator creates none, as the reference does) and node_exporter behind a
// Service with a port named `web`, the target a ServiceMonitor selects.
import type { Client, KubeObject } from '@switchboard/core';
import { AlreadyExistsError } from '@switchboard/core';
import { eventually } from '@switchboard/testing';

import type { ServiceMonitor } from '../../src/api/index.js';
import { SERVICE, SERVICE_MONITOR } from '../../src/controller/monitoring-kinds.js';
import type { Service } from '../../src/resources/kube-types.js';
import { activeTargets, workloadPods } from './prometheus-api.js';

const NODE_EXPORTER = 'quay.io/prometheus/node-exporter:v1.12.1';
const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment' };
const RBAC = 'rbac.authorization.k8s.io/v1';

interface Deployment extends KubeObject {
  spec: Record<string, unknown>;
}

/** ServiceAccount `prometheus` in `namespace`, with a Role to discover Services, Endpoints and Pods there. */
export async function prometheusIdentity(client: Client, namespace: string): Promise<void> {
  await client
    .resource({ apiVersion: 'v1', kind: 'ServiceAccount' })
    .create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'prometheus', namespace } });
  await client.resource({ apiVersion: RBAC, kind: 'Role' }).create({
    apiVersion: RBAC,
    kind: 'Role',
    metadata: { name: 'prometheus', namespace },
    rules: [
      { apiGroups: [''], resources: ['services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    ],
  } as KubeObject);
  await client.resource({ apiVersion: RBAC, kind: 'RoleBinding' }).create({
    apiVersion: RBAC,
    kind: 'RoleBinding',
    metadata: { name: 'prometheus', namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'prometheus' },
    subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace }],
  } as KubeObject);
}

/** node_exporter Deployment `name` (label app=name) and a Service of the same name on port `web` (server-side apply). */
export async function nodeExporter(
  client: Client,
  namespace: string,
  name: string,
  replicas: number,
): Promise<void> {
  const labels = { app: name };
  await client.resource<Deployment>(DEPLOYMENT).apply(
    {
      ...DEPLOYMENT,
      metadata: { name, namespace },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'exporter',
                image: NODE_EXPORTER,
                args: ['--web.listen-address=:9100'],
                ports: [{ name: 'metrics', containerPort: 9100 }],
              },
            ],
          },
        },
      },
    },
    { fieldManager: 'e2e', force: true },
  );
  await client.resource<Service>(SERVICE).apply(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels },
      spec: { selector: labels, ports: [{ name: 'web', port: 9100, targetPort: 'metrics' }] },
    },
    { fieldManager: 'e2e', force: true },
  );
}

/** Creates, or finds it made by a previous attempt of a retried test. */
export async function existing(create: Promise<unknown>): Promise<void> {
  try {
    await create;
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
}

/**
 * Creates the ServiceMonitor `api` (label team=a) selecting the `web` port of
 * the Services labelled app=api, and waits until the Prometheus `e2e` in
 * `namespace` scrapes exactly one target of it, up.
 */
export async function scrapeThroughServiceMonitor(client: Client, namespace: string): Promise<void> {
  await existing(
    client.resource<ServiceMonitor>(SERVICE_MONITOR).create({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'api', namespace, labels: { team: 'a' } },
      spec: { selector: { matchLabels: { app: 'api' } }, endpoints: [{ port: 'web', interval: '2s' }] },
    }),
  );
  const job = `serviceMonitor/${namespace}/api/0`;
  await eventually(
    async () => {
      const [pod] = await workloadPods(client, namespace, 'prometheus', 'e2e');
      const targets = await activeTargets(pod?.status?.podIP ?? '');
      expect(targets.filter((t) => t.scrapePool === job && t.health === 'up')).toHaveLength(1);
    },
    { timeout: 180_000, interval: 1000, message: 'the ServiceMonitor target is up' },
  );
}
