// The bundled Prometheus operator (@switchboard/prometheus-operator, a dev
// dependency) beside the etcd operator in a test: its CRDs, its controller
// run in this process as its own ServiceAccount (the permissions of its
// config/rbac), and the Prometheus servers it starts, read the way a user
// would, through their HTTP API at each pod's IP (the test runs on the node's
// host).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import type { KubeConfig } from '@kubernetes/client-node';
import { Client } from '@switchboard/core';
import { addPrometheusController, monitoringCrds } from '@switchboard/prometheus-operator';
import { installCrds, runAsServiceAccount } from '@switchboard/testing';

import type { Pod } from '../../src/kube/kube-types.js';
import { PodType } from '../../src/kube/kube-types.js';
import { startInProcess } from './run-operator.js';
import type { RunningOperator } from './run-operator.js';

// Found through the package, so the suite uses what the dev dependency points at.
const PROMETHEUS_OPERATOR_DIR = dirname(
  createRequire(import.meta.url).resolve('@switchboard/prometheus-operator/package.json'),
);

/** Applies the monitoring.coreos.com CRDs (server-side, any number of times) and waits until they are usable. */
export async function installMonitoringCrds(kc: KubeConfig): Promise<void> {
  await installCrds(kc, monitoringCrds(), { fieldManager: 'etcd-operator-tests' });
}

/** Starts the Prometheus controller for one namespace as the Prometheus operator's ServiceAccount. */
export async function runPrometheusOperator(kc: KubeConfig, namespace: string): Promise<RunningOperator> {
  const identity = await runAsServiceAccount(kc, {
    rbacDir: join(PROMETHEUS_OPERATOR_DIR, 'config', 'rbac'),
    namespace,
  });
  return startInProcess(Client.fromKubeConfig(identity.kubeConfig), namespace, (manager) =>
    addPrometheusController(manager, { namespace }),
  );
}

/** IPs of the running pods of the Prometheus `name`. */
export async function prometheusPodIps(client: Client, namespace: string, name: string): Promise<string[]> {
  const pods = await client.resource<Pod>(PodType).list({
    namespace,
    labelSelector: `app.kubernetes.io/name=prometheus,app.kubernetes.io/instance=${name}`,
  });
  return pods.items
    .filter((p) => p.status?.phase === 'Running' && p.metadata.deletionTimestamp === undefined)
    .map((p) => p.status?.podIP ?? '')
    .filter((ip) => ip !== '');
}

/** True when the Prometheus at `ip` answers /-/ready with 200. */
export async function prometheusReady(ip: string): Promise<boolean> {
  try {
    return (await fetch(`http://${ip}:9090/-/ready`, { signal: AbortSignal.timeout(5000) })).ok;
  } catch {
    return false;
  }
}

/** `scrapePool url health lastError` of each active target of the Prometheus at `ip`, one a line (for failure messages). */
export async function describeTargets(ip: string): Promise<string> {
  const res = await fetch(`http://${ip}:9090/api/v1/targets?state=active`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as {
    data?: { activeTargets?: { scrapePool: string; scrapeUrl: string; health: string; lastError: string }[] };
  };
  const targets = body.data?.activeTargets ?? [];
  if (targets.length === 0) return '(no active targets)';
  return targets.map((t) => `${t.scrapePool} ${t.scrapeUrl} ${t.health} ${t.lastError}`).join('\n');
}

/** When the Prometheus at `ip` last loaded its configuration (`/api/v1/status/runtimeinfo`), in ms since the epoch. */
export async function lastConfigTime(ip: string): Promise<number> {
  const res = await fetch(`http://${ip}:9090/api/v1/status/runtimeinfo`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { data?: { lastConfigTime?: string } };
  const at = Date.parse(body.data?.lastConfigTime ?? '');
  if (Number.isNaN(at)) throw new Error(`runtimeinfo of ${ip}: ${JSON.stringify(body)}`);
  return at;
}

/** One series of an instant vector. */
export interface InstantSample {
  metric: Record<string, string>;
  /** The sample's value as Prometheus writes it (`"1"`). */
  value: string;
}

/** Evaluates a PromQL expression that yields an instant vector, now, at the Prometheus at `ip`. */
export async function instantQuery(ip: string, expr: string): Promise<InstantSample[]> {
  const url = `http://${ip}:9090/api/v1/query?query=${encodeURIComponent(expr)}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success' || body.data?.resultType !== 'vector') {
    throw new Error(`${expr}: ${res.status} ${body.error ?? JSON.stringify(body.data)}`);
  }
  return body.data.result.map((r) => ({ metric: r.metric, value: r.value[1] }));
}
