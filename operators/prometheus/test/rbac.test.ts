// The operator runs with exactly the permissions of config/rbac: its
// ServiceAccount and ClusterRole binding, moved into the test namespace, with
// a token from the TokenRequest API (support/run-operator.ts, as every suite
// here runs it), runs the manager (leader election included) through a
// Prometheus, a ServiceMonitor reading a Secret, a PrometheusRule and an
// Alertmanager. A missing permission shows up as a cache that never syncs or
// a failed write, so every step must succeed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Client, KubeObject } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';
import { parseAllDocuments } from 'yaml';
import type { Alertmanager, Prometheus, PrometheusRule, ServiceMonitor } from '../src/api/index.js';
import {
  ALERTMANAGER,
  PROMETHEUS,
  PROMETHEUS_RULE,
  SECRET,
  SERVICE_MONITOR,
} from '../src/controller/monitoring-kinds.js';
import type { Secret } from '../src/resources/kube-types.js';
import { installMonitoringCrds } from './support/install-crds.js';
import { runOperator } from './support/run-operator.js';
import type { RunningOperator } from './support/run-operator.js';

const V1 = 'monitoring.coreos.com/v1';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}
interface ClusterRole extends KubeObject {
  rules: PolicyRule[];
}

const role = parseAllDocuments(
  readFileSync(join(import.meta.dirname, '..', 'config', 'rbac', 'role.yaml'), 'utf8'),
)[0]?.toJS() as ClusterRole;

let ns: TestNamespace;
let admin: Client;
let operator: RunningOperator | undefined;

beforeAll(async () => {
  const kc = testKubeConfig();
  admin = await installMonitoringCrds(kc);
  ns = await createTestNamespace(kc, 'prom-rbac');
  operator = await runOperator(kc, ns.name, { leaseName: 'prometheus-operator-leader' });
});

afterAll(async () => {
  await operator?.stop();
  await ns?.delete();
});

it('grants no wildcard', () => {
  for (const rule of role.rules) {
    expect([...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs]).not.toContain('*');
  }
});

it('reconciles Prometheus, monitors, rules and Alertmanager with only the permissions of config/rbac', async () => {
  const namespace = ns.name;
  await admin.resource<Secret>(SECRET).create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'creds', namespace },
    stringData: { user: 'u', pass: 'p' },
  });
  await admin.resource<ServiceMonitor>(SERVICE_MONITOR).create({
    apiVersion: V1,
    kind: 'ServiceMonitor',
    metadata: { name: 'api', namespace, labels: { team: 'a' } },
    spec: {
      selector: { matchLabels: { app: 'api' } },
      endpoints: [
        {
          port: 'web',
          basicAuth: { username: { name: 'creds', key: 'user' }, password: { name: 'creds', key: 'pass' } },
        },
      ],
    },
  });
  await admin.resource<PrometheusRule>(PROMETHEUS_RULE).create({
    apiVersion: V1,
    kind: 'PrometheusRule',
    metadata: { name: 'rules', namespace, labels: { team: 'a' } },
    spec: { groups: [{ name: 'g', rules: [{ alert: 'AlwaysFiring', expr: 'vector(1) > 0' }] }] },
  });
  await admin.resource<Prometheus>(PROMETHEUS).create({
    apiVersion: V1,
    kind: 'Prometheus',
    metadata: { name: 'main', namespace },
    spec: {
      serviceMonitorSelector: { matchLabels: { team: 'a' } },
      ruleSelector: { matchLabels: { team: 'a' } },
    },
  });
  await admin
    .resource<Alertmanager>(ALERTMANAGER)
    .create({ apiVersion: V1, kind: 'Alertmanager', metadata: { name: 'main', namespace }, spec: {} });

  await eventually(
    async () => {
      const prom = await admin.resource<Prometheus>(PROMETHEUS).get({ namespace, name: 'main' });
      expect(prom.status?.conditions?.find((c) => c.type === 'Reconciled')).toMatchObject({ status: 'True' });
      const secret = await admin.resource<Secret>(SECRET).get({ namespace, name: 'prometheus-main' });
      expect(
        gunzipSync(Buffer.from(secret.data?.['prometheus.yaml.gz'] ?? '', 'base64')).toString(),
      ).toContain(`job_name: serviceMonitor/${namespace}/api/0`);
      const rule = await admin.resource<PrometheusRule>(PROMETHEUS_RULE).get({ namespace, name: 'rules' });
      expect(rule.status?.conditions?.[0]).toMatchObject({ type: 'Accepted', status: 'True' });
      const am = await admin.resource<Alertmanager>(ALERTMANAGER).get({ namespace, name: 'main' });
      expect(am.status?.conditions?.find((c) => c.type === 'Reconciled')).toMatchObject({ status: 'True' });
    },
    { timeout: 45_000, message: 'operator as its ServiceAccount reconciled everything' },
  );
});
