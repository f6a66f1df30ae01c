// The Prometheus operator installed with its Helm chart
// (operators/prometheus/chart) by a real `helm` on the local cluster's real
// node, its image the one the image builder put in the local registry: a
// Prometheus it makes scrapes the target a ServiceMonitor selects (seen
// through Prometheus's own targets API), and `helm uninstall` then leaves
// nothing of the release behind but what the user owns: the CRDs (Helm never
// deletes those of crds/) and the user's own objects of their kinds.
//
// It installs with scope=namespace, so this operator watches only its own
// namespace and never competes with the operators other suites run (the
// default cluster scope grants config/rbac's rules, which deployed.test.ts
// proves). The CRDs stay installed at the end, as after every suite that
// installs them.
import { join } from 'node:path';

import { jest } from '@jest/globals';
import { Client, NotFoundError } from '@switchboard/core';
import {
  createTestNamespace,
  eventually,
  installChart,
  kubectl,
  testKubeConfig,
  testKubeconfigPath,
  whyNoHelm,
  whyNoNode,
} from '@switchboard/testing';
import type { HelmRelease, TestNamespace } from '@switchboard/testing';

import type { Prometheus, ServiceMonitor } from '../../src/api/index.js';
import { PROMETHEUS, SERVICE_MONITOR } from '../../src/controller/monitoring-kinds.js';
import { workloadPods } from '../support/prometheus-api.js';
import {
  existing,
  nodeExporter,
  prometheusIdentity,
  scrapeThroughServiceMonitor,
} from '../support/scrape-target.js';

const skipReason = (await whyNoNode()) ?? whyNoHelm();
if (skipReason) process.stderr.write(`prometheus operator Helm e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
// One retry, with the first failure logged; installChart runs `helm upgrade
// --install` and the objects below are created unless they exist, so a retry
// picks up what the first attempt left.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

const CHART = join(import.meta.dirname, '..', '..', 'chart');
const V1 = 'monitoring.coreos.com/v1';
const figures: string[] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describeE2E('prometheus operator installed with its Helm chart', () => {
  const kc = skipReason ? undefined! : testKubeConfig();
  const kubeconfig = skipReason ? '' : testKubeconfigPath();
  let client: Client;
  let ns: TestNamespace;
  let release: HelmRelease | undefined;

  beforeAll(async () => {
    client = Client.fromKubeConfig(kc);
    ns = await createTestNamespace(kc, 'prom-helm');
    await prometheusIdentity(client, ns.name);
    await nodeExporter(client, ns.name, 'api', 1);
  });

  afterAll(async () => {
    if (figures.length > 0)
      process.stderr.write(`prometheus operator Helm e2e, figures:\n  ${figures.join('\n  ')}\n`);
    // A failed test may leave the release installed.
    await release?.uninstall().catch(() => undefined);
    await ns?.delete();
    client?.close();
  }, 240_000);

  it('scrapes the target a ServiceMonitor selects; `helm uninstall` removes every object of the release, not the CRDs nor the user objects', async () => {
    const started = Date.now();
    release = await installChart(kubeconfig, {
      chart: CHART,
      release: 'prom',
      namespace: ns.name,
      set: { scope: 'namespace', replicas: '1' },
    });
    figures.push(`helm install -> operator ready: ${seconds(Date.now() - started)}`);

    const prometheuses = client.resource<Prometheus>(PROMETHEUS);
    const key = { namespace: ns.name, name: 'e2e' };
    const created = Date.now();
    await existing(
      prometheuses.create({
        apiVersion: V1,
        kind: 'Prometheus',
        metadata: key,
        spec: {
          replicas: 1,
          serviceAccountName: 'prometheus',
          scrapeInterval: '2s',
          serviceMonitorSelector: { matchLabels: { team: 'a' } },
        },
      }),
    );
    await scrapeThroughServiceMonitor(client, ns.name);
    figures.push(`Prometheus created -> its ServiceMonitor's target up: ${seconds(Date.now() - created)}`);

    // The user deletes the Prometheus first, while the operator runs, then uninstalls.
    await prometheuses.delete(key);
    await eventually(
      async () => {
        await expect(prometheuses.get(key)).rejects.toThrow(NotFoundError);
        expect(await workloadPods(client, ns.name, 'prometheus', 'e2e')).toEqual([]);
      },
      { timeout: 120_000, interval: 1000, message: 'the Prometheus and its Pods gone' },
    );
    const uninstalling = Date.now();
    await release.uninstall();
    figures.push(`helm uninstall: ${seconds(Date.now() - uninstalling)}`);
    expect(await release.leftovers()).toEqual([]);

    // What the user owns stays: the CRDs, and the ServiceMonitor they made.
    const crds = await kubectl(kubeconfig, ['get', 'crd', '-o', 'name']);
    for (const plural of [
      'alertmanagers',
      'podmonitors',
      'prometheuses',
      'prometheusrules',
      'servicemonitors',
    ])
      expect(crds).toContain(
        `customresourcedefinition.apiextensions.k8s.io/${plural}.monitoring.coreos.com\n`,
      );
    await expect(
      client.resource<ServiceMonitor>(SERVICE_MONITOR).get({ namespace: ns.name, name: 'api' }),
    ).resolves.toMatchObject({ metadata: { name: 'api' } });
  }, 600_000);
});
