// The Prometheus operator deployed as users deploy it: `kubectl apply -k
// config/default` with no edits runs its image (built by the image builder
// from what the Dockerfile describes) on the local cluster's real node, two
// replicas under its own ServiceAccount; the test grants it nothing. A
// Prometheus it creates then scrapes a target chosen by a ServiceMonitor,
// seen through Prometheus's own targets API. Everything the kustomization
// installed (CRDs, ClusterRole and binding included) is removed at the end.
//
// The operator it installs watches every namespace: this suite must not run
// beside another that runs its own Prometheus operator (jest runs one suite
// at a time on the 2-core CI; keep it so, or run this one alone).
import { join } from 'node:path';

import { jest } from '@jest/globals';
import { Client } from '@switchboard/core';
import {
  TEST_ENV,
  attachLocalCluster,
  createTestNamespace,
  deployOperator,
  leaseHandoverBoundMs,
  podStartToReady,
  testKubeConfig,
  testKubeconfigPath,
  whyNoNode,
} from '@switchboard/testing';
import type { DeployedOperator, Faults, TestNamespace } from '@switchboard/testing';

import type { Prometheus } from '../../src/api/index.js';
import { PROMETHEUS } from '../../src/controller/monitoring-kinds.js';
import {
  existing,
  nodeExporter,
  prometheusIdentity,
  scrapeThroughServiceMonitor,
} from '../support/scrape-target.js';

const clusterDir = process.env[TEST_ENV.clusterDir];
const skipReason = clusterDir
  ? await whyNoNode()
  : `${TEST_ENV.clusterDir} is not set (killing the leader needs the folder of a local cluster with nodes)`;
if (skipReason) process.stderr.write(`prometheus operator deployed e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
// One retry, with the first failure logged; each test can run again on what
// the previous attempt left.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

const SYSTEM = 'prometheus-operator-system';
const V1 = 'monitoring.coreos.com/v1';
const figures: string[] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const CONTROLLERS = ['prometheus', 'alertmanager'];

describeE2E('prometheus operator deployed from config/default', () => {
  const kc = skipReason ? undefined! : testKubeConfig();
  const kubeconfig = skipReason ? '' : testKubeconfigPath();
  let operator: DeployedOperator;
  let faults: Faults;
  let client: Client;
  let ns: TestNamespace;

  beforeAll(async () => {
    faults = (await attachLocalCluster(clusterDir!)).faults;
    operator = await deployOperator(kc, kubeconfig, {
      kustomization: join(import.meta.dirname, '..', '..', 'config', 'default'),
      namespace: SYSTEM,
      deployment: 'prometheus-operator',
      leaseName: 'prometheus-operator-leader',
    });
    client = Client.fromKubeConfig(kc);
    ns = await createTestNamespace(kc, 'prom-deployed');
    await prometheusIdentity(client, ns.name);
    await nodeExporter(client, ns.name, 'api', 1);
  }, 240_000);

  afterAll(async () => {
    if (figures.length > 0)
      process.stderr.write(`prometheus operator deployed, figures:\n  ${figures.join('\n  ')}\n`);
    // The test's namespace first, while the operator runs, then everything the kustomization made.
    await operator?.uninstall({ namespacesFirst: ns ? [ns.name] : [] });
  }, 300_000);

  it('runs as two Pods, Ready through /readyz, one of them holding the leader-election Lease', async () => {
    const pods = await operator.waitReady(2);
    for (const p of pods) {
      expect(p.spec?.containers[0]?.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(p.spec?.serviceAccountName).toBe('prometheus-operator');
      const timing = podStartToReady(p);
      if (timing)
        figures.push(
          `${p.metadata?.name}: created -> Ready ${timing.createdToReadyS} s, container start -> Ready ${timing.startedToReadyS} s`,
        );
    }
    const holder = await operator.nextLeader(undefined, 60_000);
    expect(pods.map((p) => p.metadata?.name)).toContain(holder.pod);
  });

  it('has exactly the permissions of its manifests (RBAC enforced, nothing granted by the test)', async () => {
    const can = (...args: string[]) => operator.can(...args);
    expect(await can('create', 'statefulsets.apps', '-n', ns.name)).toBe(true);
    expect(await can('get', 'secrets', '-n', ns.name)).toBe(true);
    expect(await can('update', 'leases.coordination.k8s.io', '-n', SYSTEM)).toBe(true);
    // Nothing beyond: no Pods of its own, no deleting workloads, no Leases of other components.
    expect(await can('create', 'pods', '-n', ns.name)).toBe(false);
    expect(await can('delete', 'statefulsets.apps', '-n', ns.name)).toBe(false);
    expect(await can('update', 'leases.coordination.k8s.io', '-n', 'kube-system')).toBe(false);
    expect(await can('create', 'clusterrolebindings')).toBe(false);
    expect(await operator.bindings()).toEqual([
      'ClusterRoleBinding/prometheus-operator',
      `RoleBinding/${SYSTEM}/prometheus-operator-leader-election`,
    ]);
  });

  it('scrapes the target a ServiceMonitor selects, though the leading Pod is deleted mid-reconcile: the Deployment replaces it and the standby takes over', async () => {
    const before = await operator.waitReady(2);
    const oldLeader = await operator.nextLeader(undefined, 60_000);
    const created = Date.now();
    await existing(
      client.resource<Prometheus>(PROMETHEUS).create({
        apiVersion: V1,
        kind: 'Prometheus',
        metadata: { name: 'e2e', namespace: ns.name },
        spec: {
          replicas: 1,
          serviceAccountName: 'prometheus',
          scrapeInterval: '2s',
          serviceMonitorSelector: { matchLabels: { team: 'a' } },
        },
      }),
    );
    // Mid-reconcile: the Prometheus is being set up; its leader goes away.
    await client
      .resource({ apiVersion: 'v1', kind: 'Pod' })
      .delete({ namespace: SYSTEM, name: oldLeader.pod });
    const newLeader = await operator.nextLeader(oldLeader, 60_000);
    figures.push(`leader Pod deleted (graceful) -> another Pod leads: ${seconds(Date.now() - created)}`);
    // The standby usually wins; the Deployment's replacement Pod may win the
    // race for a released or expired Lease instead. Either is a hand-over.
    expect(newLeader.pod).not.toBe(oldLeader.pod);
    expect(before.length).toBe(2);
    expect((await operator.waitReady(2)).map((p) => p.metadata?.name)).not.toContain(oldLeader.pod);

    // Work for the new leader: the ServiceMonitor, after the hand-over.
    await scrapeThroughServiceMonitor(client, ns.name);
    figures.push(`Prometheus created -> its ServiceMonitor's target up: ${seconds(Date.now() - created)}`);
  });

  it('reconciles on exactly one replica, and a killed leader hands over within the lease duration', async () => {
    await operator.waitReady(2);
    await operator.waitOnlyLeaderReconciles(CONTROLLERS);
    const { previous, next, leaseHandoverMs, observedMs } = await operator.killLeader((pod) =>
      faults.killContainer({ namespace: SYSTEM, name: pod, container: 'manager' }),
    );
    figures.push(
      `leader SIGKILLed -> new leader: ${seconds(observedMs)} (Lease: last renewal -> acquired ${seconds(leaseHandoverMs)}, lease ${previous.leaseDurationSeconds} s)`,
    );
    // The standby usually wins the expired Lease; the killed container,
    // restarted by the kubelet in the same Pod, may win the race instead.
    // Either way a new process (identity `<pod>_<uuid>`) leads.
    expect(next.identity).not.toBe(previous.identity);
    expect(leaseHandoverMs).toBeLessThan(leaseHandoverBoundMs(previous.leaseDurationSeconds));

    // The new leader reconciles a change to the Prometheus, alone.
    const since = await operator.reconcileCounts(await operator.waitReady(2), CONTROLLERS);
    await client
      .resource<Prometheus>(PROMETHEUS)
      .patch(
        { namespace: ns.name, name: 'e2e' },
        { type: 'merge', body: { spec: { scrapeInterval: '3s' } } },
      );
    expect((await operator.waitOnlyLeaderReconciles(CONTROLLERS, since)).pod).toBe(next.pod);
  });
});
