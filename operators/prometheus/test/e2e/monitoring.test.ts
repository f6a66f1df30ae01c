// The Prometheus operator on the local cluster's real node, with real
// Prometheus, Alertmanager and node_exporter processes: each test asserts on
// what a user sees, Prometheus's own /api/v1/targets and /api/v1/alerts and
// Alertmanager's /api/v2/alerts.
import { jest } from '@jest/globals';
import type { Client, KubeObject } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig, whyNoNode } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';
import type {
  Alertmanager,
  PodMonitor,
  Prometheus,
  PrometheusRule,
  ServiceMonitor,
} from '../../src/api/index.js';
import {
  ALERTMANAGER,
  POD_MONITOR,
  PROMETHEUS,
  PROMETHEUS_RULE,
  SERVICE_MONITOR,
} from '../../src/controller/monitoring-kinds.js';
import { installMonitoringCrds } from '../support/install-crds.js';
import { nodeExporter, prometheusIdentity } from '../support/scrape-target.js';
import {
  activeTargets,
  alertmanagerAlerts,
  prometheusAlerts,
  workloadPods,
} from '../support/prometheus-api.js';
import { runOperator } from '../support/run-operator.js';
import type { RunningOperator } from '../support/run-operator.js';

const skipReason = await whyNoNode();
if (skipReason) process.stderr.write(`prometheus operator e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
// One retry, with the first failure logged: on a loaded 2-core machine pods
// have answered the host seconds late; a failure that repeats is a real one.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

const V1 = 'monitoring.coreos.com/v1';
const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment' };

interface Deployment extends KubeObject {
  spec: Record<string, unknown>;
}

describeE2E('prometheus operator on a real node', () => {
  const kc = skipReason ? undefined! : testKubeConfig();
  let client: Client;
  let ns: TestNamespace;
  let outside: TestNamespace;
  let operator: RunningOperator | undefined;

  beforeAll(async () => {
    client = await installMonitoringCrds(kc);
  });

  beforeEach(async () => {
    ns = await createTestNamespace(kc, 'prom-e2e');
    outside = await createTestNamespace(kc, 'prom-e2e-outside');
    await prometheusIdentity(client, ns.name);
    operator = await runOperator(kc, ns.name);
  });

  afterEach(async () => {
    await operator?.stop();
    await outside.delete();
    await ns.delete();
  });

  const exporter = (namespace: string, name: string, replicas: number) =>
    nodeExporter(client, namespace, name, replicas);

  async function createPrometheus(spec: Prometheus['spec']): Promise<void> {
    await client.resource<Prometheus>(PROMETHEUS).create({
      apiVersion: V1,
      kind: 'Prometheus',
      metadata: { name: 'e2e', namespace: ns.name },
      spec: { serviceAccountName: 'prometheus', scrapeInterval: '2s', evaluationInterval: '2s', ...spec },
    });
  }

  /** Targets of every Prometheus replica, once all replicas answer. */
  async function targetsOfEveryReplica(
    replicas: number,
  ): Promise<Awaited<ReturnType<typeof activeTargets>>[]> {
    const pods = await workloadPods(client, ns.name, 'prometheus', 'e2e');
    expect(pods).toHaveLength(replicas);
    return Promise.all(pods.map((p) => activeTargets(p.status?.podIP ?? '')));
  }

  it('scrapes a Service selected by a ServiceMonitor on every replica, follows scaling and deletion, ignores other namespaces', async () => {
    await exporter(ns.name, 'api', 1);
    await exporter(outside.name, 'api', 1);
    await createPrometheus({
      replicas: 2,
      serviceMonitorSelector: { matchLabels: { team: 'a' } },
      externalLabels: { cluster: 'e2e' },
    });
    await eventually(async () => targetsOfEveryReplica(2), {
      timeout: 120_000,
      interval: 1000,
      message: 'Prometheus replicas answer',
    });

    const monitor = (namespace: string): ServiceMonitor => ({
      apiVersion: V1,
      kind: 'ServiceMonitor',
      metadata: { name: 'api', namespace, labels: { team: 'a' } },
      spec: { selector: { matchLabels: { app: 'api' } }, endpoints: [{ port: 'web', interval: '2s' }] },
    });
    await client.resource<ServiceMonitor>(SERVICE_MONITOR).create(monitor(outside.name));
    const created = Date.now();
    await client.resource<ServiceMonitor>(SERVICE_MONITOR).create(monitor(ns.name));
    const job = `serviceMonitor/${ns.name}/api/0`;
    await eventually(
      async () => {
        for (const targets of await targetsOfEveryReplica(2)) {
          const up = targets.filter((t) => t.scrapePool === job && t.health === 'up');
          expect(up).toHaveLength(1);
          expect(up[0]?.labels).toMatchObject({
            job: 'api',
            namespace: ns.name,
            service: 'api',
            endpoint: 'web',
          });
          expect(up[0]?.labels['pod']).toMatch(/^api-/);
          expect(targets.filter((t) => t.scrapePool.includes(outside.name))).toEqual([]);
        }
      },
      { timeout: 60_000, interval: 250, message: 'target up on both replicas' },
    );
    process.stdout.write(`ServiceMonitor create -> target up on 2 replicas: ${Date.now() - created} ms\n`);

    await client
      .resource<Deployment>(DEPLOYMENT)
      .patch({ namespace: ns.name, name: 'api' }, { type: 'merge', body: { spec: { replicas: 3 } } });
    await eventually(
      async () => {
        for (const targets of await targetsOfEveryReplica(2))
          expect(targets.filter((t) => t.scrapePool === job && t.health === 'up')).toHaveLength(3);
      },
      { timeout: 90_000, interval: 500, message: '3 targets after scaling' },
    );

    await client.resource(SERVICE_MONITOR).delete({ namespace: ns.name, name: 'api' });
    await eventually(
      async () => {
        for (const targets of await targetsOfEveryReplica(2))
          expect(targets.filter((t) => t.scrapePool === job)).toEqual([]);
      },
      { timeout: 60_000, interval: 500, message: 'targets gone after the ServiceMonitor is deleted' },
    );
  });

  it('scrapes pods without a Service through a PodMonitor', async () => {
    await exporter(ns.name, 'worker', 2);
    await createPrometheus({ podMonitorSelector: {} });
    await client.resource<PodMonitor>(POD_MONITOR).create({
      apiVersion: V1,
      kind: 'PodMonitor',
      metadata: { name: 'worker', namespace: ns.name },
      spec: {
        selector: { matchLabels: { app: 'worker' } },
        podMetricsEndpoints: [{ port: 'metrics', interval: '2s' }],
      },
    });
    await eventually(
      async () => {
        const [targets] = await targetsOfEveryReplica(1);
        const up = (targets ?? []).filter(
          (t) => t.scrapePool === `podMonitor/${ns.name}/worker/0` && t.health === 'up',
        );
        expect(up).toHaveLength(2);
        expect(up[0]?.labels).toMatchObject({
          namespace: ns.name,
          container: 'exporter',
          endpoint: 'metrics',
        });
      },
      { timeout: 180_000, interval: 1000, message: '2 pod targets up' },
    );
  });

  it('fires an alert from a PrometheusRule and delivers it to an operator-managed Alertmanager', async () => {
    await client.resource<Alertmanager>(ALERTMANAGER).create({
      apiVersion: V1,
      kind: 'Alertmanager',
      metadata: { name: 'e2e', namespace: ns.name },
      spec: { replicas: 1 },
    });
    await createPrometheus({
      ruleSelector: { matchLabels: { team: 'a' } },
      alerting: { alertmanagers: [{ namespace: ns.name, name: 'alertmanager-operated', port: 'web' }] },
    });
    await client.resource<PrometheusRule>(PROMETHEUS_RULE).create({
      apiVersion: V1,
      kind: 'PrometheusRule',
      metadata: { name: 'always', namespace: ns.name, labels: { team: 'a' } },
      spec: { groups: [{ name: 'e2e', rules: [{ alert: 'AlwaysFiring', expr: 'vector(1) > 0' }] }] },
    });
    await eventually(
      async () => {
        const [prom] = await workloadPods(client, ns.name, 'prometheus', 'e2e');
        expect(
          (await prometheusAlerts(prom?.status?.podIP ?? '')).map((a) => [a.labels['alertname'], a.state]),
        ).toContainEqual(['AlwaysFiring', 'firing']);
        const [am] = await workloadPods(client, ns.name, 'alertmanager', 'e2e');
        expect(
          (await alertmanagerAlerts(am?.status?.podIP ?? '')).map((a) => a.labels['alertname']),
        ).toContain('AlwaysFiring');
      },
      { timeout: 180_000, interval: 1000, message: 'alert firing in Prometheus and held by Alertmanager' },
    );
  });
});
