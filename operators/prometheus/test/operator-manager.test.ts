// The operator as the binary runs it (core Manager + the Prometheus and
// Alertmanager controllers) against the real API server, no node needed:
// adding or removing a ServiceMonitor, a PrometheusRule, or a Secret a
// monitor reads is enough for the generated config to follow, and status
// conditions say what happened.
import { gunzipSync } from 'node:zlib';
import type { Client, ObjectKey } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';
import type {
  Alertmanager,
  MonitoringCondition,
  Prometheus,
  PrometheusRule,
  ServiceMonitor,
} from '../src/api/index.js';
import {
  ALERTMANAGER,
  CONFIG_MAP,
  PROMETHEUS,
  PROMETHEUS_RULE,
  SECRET,
  SERVICE,
  SERVICE_MONITOR,
  STATEFUL_SET,
} from '../src/controller/monitoring-kinds.js';
import type { ConfigMap, Secret, Service, StatefulSet } from '../src/resources/kube-types.js';
import { installMonitoringCrds } from './support/install-crds.js';
import { runOperator } from './support/run-operator.js';
import type { RunningOperator } from './support/run-operator.js';

const V1 = 'monitoring.coreos.com/v1';
let ns: TestNamespace;
let client: Client;
let operator: RunningOperator;

beforeAll(async () => {
  const kc = testKubeConfig();
  client = await installMonitoringCrds(kc);
  ns = await createTestNamespace(kc, 'prom-manager');
  operator = await runOperator(kc, ns.name);
});

afterAll(async () => {
  await operator?.stop();
  await ns?.delete();
});

async function generatedConfig(name: string): Promise<string> {
  const secret = await client
    .resource<Secret>(SECRET)
    .get({ namespace: ns.name, name: `prometheus-${name}` });
  return gunzipSync(Buffer.from(secret.data?.['prometheus.yaml.gz'] ?? '', 'base64')).toString();
}

function conditions(obj: {
  status?: { conditions?: readonly MonitoringCondition[] };
}): (string | undefined)[][] {
  return (obj.status?.conditions ?? []).map((c) => [c.type, c.status, c.reason]);
}

function serviceMonitor(
  name: string,
  extra: Partial<ServiceMonitor['spec']['endpoints'][number]> = {},
): ServiceMonitor {
  return {
    apiVersion: V1,
    kind: 'ServiceMonitor',
    metadata: { name, namespace: ns.name, labels: { team: 'a' } },
    spec: {
      selector: { matchLabels: { app: name } },
      endpoints: [{ port: 'web', interval: '5s', ...extra }],
    },
  };
}

describe('prometheus operator under a Manager', () => {
  const key = (): ObjectKey => ({ namespace: ns.name, name: 'k8s' });

  it('creates the config Secret, StatefulSet and Service for a new Prometheus, with status conditions', async () => {
    await client.resource<Service>(SERVICE).create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api', namespace: ns.name, labels: { app: 'api' } },
      spec: { selector: { app: 'api' }, ports: [{ name: 'web', port: 8080, targetPort: 8080 }] },
    });
    await client.resource<Prometheus>(PROMETHEUS).create({
      apiVersion: V1,
      kind: 'Prometheus',
      metadata: { name: 'k8s', namespace: ns.name },
      spec: {
        replicas: 1,
        serviceMonitorSelector: { matchLabels: { team: 'a' } },
        ruleSelector: { matchLabels: { team: 'a' } },
      },
    });
    await eventually(
      async () => {
        const sts = await client
          .resource<StatefulSet>(STATEFUL_SET)
          .get({ namespace: ns.name, name: 'prometheus-k8s' });
        expect(sts.metadata.ownerReferences?.[0]).toMatchObject({
          kind: 'Prometheus',
          name: 'k8s',
          controller: true,
        });
        await client.resource<Service>(SERVICE).get({ namespace: ns.name, name: 'prometheus-operated' });
        expect(await generatedConfig('k8s')).not.toContain('job_name: serviceMonitor/');
        // No node runs the pods here: reconciled, but not available.
        expect(conditions(await client.resource<Prometheus>(PROMETHEUS).get(key()))).toEqual([
          ['Available', 'False', 'NoPodReady'],
          ['Reconciled', 'True', 'ReconciliationSucceeded'],
        ]);
      },
      { timeout: 30_000, message: 'first pass of the controller' },
    );
  });

  it('adds a scrape job when a matching ServiceMonitor is created and drops it when it is deleted', async () => {
    const job = `job_name: serviceMonitor/${ns.name}/api/0`;
    const created = Date.now();
    await client.resource<ServiceMonitor>(SERVICE_MONITOR).create(serviceMonitor('api'));
    await eventually(async () => expect(await generatedConfig('k8s')).toContain(job), {
      timeout: 10_000,
      interval: 50,
      message: 'job added',
    });
    const addedMs = Date.now() - created;

    // Not selected (label team=b): no job.
    await client.resource<ServiceMonitor>(SERVICE_MONITOR).create({
      ...serviceMonitor('other'),
      metadata: { name: 'other', namespace: ns.name, labels: { team: 'b' } },
    });

    const deleted = Date.now();
    await client.resource(SERVICE_MONITOR).delete({ namespace: ns.name, name: 'api' });
    await eventually(async () => expect(await generatedConfig('k8s')).not.toContain(job), {
      timeout: 10_000,
      interval: 50,
      message: 'job removed',
    });
    const removedMs = Date.now() - deleted;
    expect(await generatedConfig('k8s')).not.toContain(`serviceMonitor/${ns.name}/other/`);

    // Relabelling the unselected monitor into the selection brings it in.
    await client
      .resource<ServiceMonitor>(SERVICE_MONITOR)
      .patch(
        { namespace: ns.name, name: 'other' },
        { type: 'merge', body: { metadata: { labels: { team: 'a' } } } },
      );
    await eventually(
      async () =>
        expect(await generatedConfig('k8s')).toContain(`job_name: serviceMonitor/${ns.name}/other/0`),
      { timeout: 10_000, interval: 50 },
    );
    process.stdout.write(
      `ServiceMonitor create -> config Secret: ${addedMs} ms; delete -> config Secret: ${removedMs} ms\n`,
    );
    expect(addedMs).toBeLessThan(5_000);
  });

  it('reports a monitor whose Secret is missing, and takes it in once the Secret exists and follows its changes', async () => {
    const auth = {
      basicAuth: {
        username: { name: 'scrape-auth', key: 'user' },
        password: { name: 'scrape-auth', key: 'pass' },
      },
    };
    await client.resource<ServiceMonitor>(SERVICE_MONITOR).create(serviceMonitor('secured', auth));
    await eventually(
      async () => {
        const reconciled = (
          await client.resource<Prometheus>(PROMETHEUS).get(key())
        ).status?.conditions?.find((c) => c.type === 'Reconciled');
        expect(reconciled).toMatchObject({ status: 'False', reason: 'SomeMonitorsRejected' });
        expect(reconciled?.message).toContain(`${ns.name}/secured`);
      },
      { timeout: 10_000, message: 'monitor with a missing Secret reported' },
    );
    expect(await generatedConfig('k8s')).not.toContain(`serviceMonitor/${ns.name}/secured/`);

    const secrets = client.resource<Secret>(SECRET);
    await secrets.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'scrape-auth', namespace: ns.name },
      stringData: { user: 'scraper', pass: 'first-pass' },
    });
    await eventually(
      async () => {
        const config = await generatedConfig('k8s');
        expect(config).toContain(`job_name: serviceMonitor/${ns.name}/secured/0`);
        expect(config).toContain('first-pass');
        expect(conditions(await client.resource<Prometheus>(PROMETHEUS).get(key()))).toContainEqual([
          'Reconciled',
          'True',
          'ReconciliationSucceeded',
        ]);
      },
      { timeout: 10_000, message: 'Secret created -> monitor in the config' },
    );
    await secrets.patch(
      { namespace: ns.name, name: 'scrape-auth' },
      { type: 'merge', body: { stringData: { pass: 'second-pass' } } },
    );
    await eventually(async () => expect(await generatedConfig('k8s')).toContain('second-pass'), {
      timeout: 10_000,
      message: 'Secret change -> config',
    });
  });

  it('writes rule ConfigMaps for a selected PrometheusRule and reports an invalid one', async () => {
    const rules = client.resource<PrometheusRule>(PROMETHEUS_RULE);
    await rules.create({
      apiVersion: V1,
      kind: 'PrometheusRule',
      metadata: { name: 'always', namespace: ns.name, labels: { team: 'a' } },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'AlwaysFiring', expr: 'vector(1) > 0' }] }] },
    });
    await rules.create({
      apiVersion: V1,
      kind: 'PrometheusRule',
      metadata: { name: 'broken', namespace: ns.name, labels: { team: 'a' } },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'Broken', expr: 'sum(rate(x[5m])' }] }] },
    });
    await eventually(
      async () => {
        const cm = await client
          .resource<ConfigMap>(CONFIG_MAP)
          .get({ namespace: ns.name, name: 'prometheus-k8s-rulefiles-0' });
        const files = Object.keys(cm.data ?? {});
        expect(files).toEqual([expect.stringMatching(new RegExp(`^${ns.name}-always-`))]);
        expect(cm.data?.[files[0] ?? '']).toContain('AlwaysFiring');
        const broken = await rules.get({ namespace: ns.name, name: 'broken' });
        expect(broken.status?.conditions).toEqual([
          expect.objectContaining({ type: 'Accepted', status: 'False', reason: 'InvalidRules' }),
        ]);
      },
      { timeout: 10_000, message: 'rule files written' },
    );
  });

  it('recreates a generated StatefulSet that was deleted', async () => {
    const sets = client.resource<StatefulSet>(STATEFUL_SET);
    const before = await sets.get({ namespace: ns.name, name: 'prometheus-k8s' });
    await sets.delete({ namespace: ns.name, name: 'prometheus-k8s' });
    await eventually(
      async () => {
        const after = await sets.get({ namespace: ns.name, name: 'prometheus-k8s' });
        expect(after.metadata.uid).not.toBe(before.metadata.uid);
      },
      { timeout: 10_000, message: 'StatefulSet recreated' },
    );
  });
});

describe('alertmanager controller under a Manager', () => {
  const generated = async (): Promise<string> => {
    const s = await client
      .resource<Secret>(SECRET)
      .get({ namespace: ns.name, name: 'alertmanager-main-generated' });
    return Buffer.from(s.data?.['alertmanager.yaml'] ?? '', 'base64').toString();
  };

  it('runs a clustered StatefulSet with the default config, then the user config from its Secret', async () => {
    const ams = client.resource<Alertmanager>(ALERTMANAGER);
    await ams.create({
      apiVersion: V1,
      kind: 'Alertmanager',
      metadata: { name: 'main', namespace: ns.name },
      spec: { replicas: 3 },
    });
    await eventually(
      async () => {
        const sts = await client
          .resource<StatefulSet>(STATEFUL_SET)
          .get({ namespace: ns.name, name: 'alertmanager-main' });
        expect(sts.spec.replicas).toBe(3);
        const args = sts.spec.template.spec.containers[0]?.args ?? [];
        expect(args.filter((a) => a.startsWith('--cluster.peer='))).toHaveLength(3);
        await client.resource<Service>(SERVICE).get({ namespace: ns.name, name: 'alertmanager-operated' });
        expect(await generated()).toContain('receiver: "null"');
        expect(conditions(await ams.get({ namespace: ns.name, name: 'main' }))).toEqual([
          ['Available', 'False', 'NoPodReady'],
          ['Reconciled', 'True', 'ReconciliationSucceeded'],
        ]);
      },
      { timeout: 30_000, message: 'Alertmanager objects' },
    );

    const user = 'route:\n  receiver: team\nreceivers:\n  - name: team\n';
    const secrets = client.resource<Secret>(SECRET);
    await secrets.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'alertmanager-main', namespace: ns.name },
      stringData: { 'alertmanager.yaml': user },
    });
    await eventually(async () => expect(await generated()).toBe(user), {
      timeout: 10_000,
      message: 'user config taken',
    });

    // A broken config is reported and the running one kept.
    await secrets.patch(
      { namespace: ns.name, name: 'alertmanager-main' },
      { type: 'merge', body: { stringData: { 'alertmanager.yaml': 'route: [unclosed' } } },
    );
    await eventually(
      async () =>
        expect(conditions(await ams.get({ namespace: ns.name, name: 'main' }))).toContainEqual([
          'Reconciled',
          'False',
          'InvalidConfiguration',
        ]),
      { timeout: 10_000, message: 'invalid config reported' },
    );
    expect(await generated()).toBe(user);
  });
});
