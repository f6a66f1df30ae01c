// Looks at running Prometheus and Alertmanager pods the way a user would:
// their HTTP APIs, through each pod's IP (the test runs on the node's host).
import type { Client } from '@switchboard/core';
import type { KubeObject } from '@switchboard/core';

export interface Pod extends KubeObject {
  status?: { podIP?: string; phase?: string };
}

/** One active target of `/api/v1/targets`. */
export interface ActiveTarget {
  labels: Record<string, string>;
  scrapePool: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

/** The pods of a workload that have an IP. */
export async function workloadPods(
  client: Client,
  namespace: string,
  app: 'prometheus' | 'alertmanager',
  name: string,
): Promise<Pod[]> {
  const pods = await client
    .resource<Pod>({ apiVersion: 'v1', kind: 'Pod' })
    .list({ namespace, labelSelector: `app.kubernetes.io/name=${app},app.kubernetes.io/instance=${name}` });
  return pods.items.filter(
    (p) => p.status?.podIP !== undefined && p.metadata.deletionTimestamp === undefined,
  );
}

async function getJson<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    // Name the replica: "operation aborted" alone does not say which one hung.
    throw new Error(`GET ${url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Active targets of the Prometheus at `ip`. */
export async function activeTargets(ip: string): Promise<ActiveTarget[]> {
  return (
    await getJson<{ data: { activeTargets: ActiveTarget[] } }>(
      `http://${ip}:9090/api/v1/targets?state=active`,
    )
  ).data.activeTargets;
}

/** Firing or pending alerts of the Prometheus at `ip`. */
export async function prometheusAlerts(
  ip: string,
): Promise<{ labels: Record<string, string>; state: string }[]> {
  return (
    await getJson<{ data: { alerts: { labels: Record<string, string>; state: string }[] } }>(
      `http://${ip}:9090/api/v1/alerts`,
    )
  ).data.alerts;
}

/** Alerts the Alertmanager at `ip` holds. */
export async function alertmanagerAlerts(ip: string): Promise<{ labels: Record<string, string> }[]> {
  return getJson<{ labels: Record<string, string> }[]>(`http://${ip}:9093/api/v2/alerts`);
}
