// One Prometheus reconcile pass against the real API server (no node needed):
// the CRDs accept reference-style manifests, and the pass writes the config
// Secret, rule ConfigMaps, governing Service, StatefulSet and statuses.
import { gunzipSync } from 'node:zlib';
import type { Client, ObjectKey } from '@switchboard/core';
import { createTestNamespace, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';
import type { Prometheus, PrometheusRule, ServiceMonitor } from '../src/api/index.js';
import {
  PROMETHEUS,
  PROMETHEUS_RULE,
  SECRET,
  SERVICE,
  SERVICE_MONITOR,
  STATEFUL_SET,
  CONFIG_MAP,
} from '../src/controller/monitoring-kinds.js';
import { reconcilePrometheus } from '../src/controller/prometheus-reconciler.js';
import { DEFAULT_IMAGES } from '../src/resources/images.js';
import type { ConfigMap, Secret, Service, StatefulSet } from '../src/resources/kube-types.js';
import { installMonitoringCrds } from './support/install-crds.js';

let ns: TestNamespace;
let client: Client;

beforeAll(async () => {
  const kc = testKubeConfig();
  client = await installMonitoringCrds(kc);
  ns = await createTestNamespace(kc, 'prom-reconcile');
});

afterAll(async () => {
  await ns?.delete();
});

async function pass(key: ObjectKey): Promise<void> {
  await reconcilePrometheus(key, { client, images: DEFAULT_IMAGES }, AbortSignal.timeout(30_000));
}

it('writes config, rules, Service, StatefulSet and status for a Prometheus', async () => {
  const namespace = ns.name;
  await client.resource<ServiceMonitor>(SERVICE_MONITOR).create({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'api', namespace, labels: { team: 'a' } },
    spec: { selector: { matchLabels: { app: 'api' } }, endpoints: [{ port: 'web', interval: '5s' }] },
  });
  await client.resource<PrometheusRule>(PROMETHEUS_RULE).create({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'good', namespace, labels: { team: 'a' } },
    spec: { groups: [{ name: 'g', rules: [{ alert: 'AlwaysFiring', expr: 'vector(1) > 0' }] }] },
  });
  await client.resource<PrometheusRule>(PROMETHEUS_RULE).create({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'bad', namespace, labels: { team: 'a' } },
    spec: { groups: [{ name: 'g', rules: [{ alert: 'Broken', expr: 'sum(rate(x[5m])' }] }] },
  });
  await client.resource<Prometheus>(PROMETHEUS).create({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'Prometheus',
    metadata: { name: 'main', namespace },
    spec: {
      replicas: 2,
      serviceMonitorSelector: { matchLabels: { team: 'a' } },
      ruleSelector: { matchLabels: { team: 'a' } },
      externalLabels: { cluster: 'test' },
    },
  });
  const key = { namespace, name: 'main' };
  await pass(key);

  const secret = await client.resource<Secret>(SECRET).get({ namespace, name: 'prometheus-main' });
  const config = gunzipSync(Buffer.from(secret.data!['prometheus.yaml.gz']!, 'base64')).toString();
  expect(config).toContain(`job_name: serviceMonitor/${namespace}/api/0`);
  expect(config).toContain('cluster: test');
  expect(config).toContain('/etc/prometheus/rules/prometheus-main-rulefiles-0/*.yaml');

  const rules = await client
    .resource<ConfigMap>(CONFIG_MAP)
    .get({ namespace, name: 'prometheus-main-rulefiles-0' });
  expect(Object.keys(rules.data ?? {})).toEqual([
    expect.stringMatching(new RegExp(`^${namespace}-good-.*\\.yaml$`)),
  ]);
  const bad = await client.resource<PrometheusRule>(PROMETHEUS_RULE).get({ namespace, name: 'bad' });
  expect(bad.status?.conditions).toEqual([
    expect.objectContaining({ type: 'Accepted', status: 'False', reason: 'InvalidRules' }),
  ]);

  const sts = await client.resource<StatefulSet>(STATEFUL_SET).get({ namespace, name: 'prometheus-main' });
  expect(sts.spec.replicas).toBe(2);
  expect(sts.metadata.ownerReferences?.[0]).toMatchObject({
    kind: 'Prometheus',
    name: 'main',
    controller: true,
  });
  const svc = await client.resource<Service>(SERVICE).get({ namespace, name: 'prometheus-operated' });
  expect(svc.spec.clusterIP).toBe('None');

  const prom = await client.resource<Prometheus>(PROMETHEUS).get(key);
  expect(prom.status?.conditions?.map((c) => [c.type, c.status])).toEqual([
    ['Available', 'False'],
    ['Reconciled', 'True'],
  ]);
});

it('does not rewrite the config Secret when nothing changed', async () => {
  const key = { namespace: ns.name, name: 'main' };
  const before = await client.resource<Secret>(SECRET).get({ namespace: ns.name, name: 'prometheus-main' });
  await pass(key);
  const after = await client.resource<Secret>(SECRET).get({ namespace: ns.name, name: 'prometheus-main' });
  expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
});
