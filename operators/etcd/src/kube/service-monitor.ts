// A monitoring.coreos.com/v1 ServiceMonitor per EtcdCluster, so a Prometheus
// operator (the bundled one, or prometheus-operator itself) scrapes every
// member's /metrics. It selects the cluster's Services by the cluster label
// and keeps the port named `metrics`, which only the headless peer Service
// has (services.ts): one target per member, ready or not.
//
// The CRD is optional. Whether the API server serves it is asked through
// discovery and the answer kept for a short while (ServiceMonitorSupport):
// without it the operator creates nothing and nothing fails, and once it is
// installed the next pass after the answer expires creates the monitors.
import type { Client, KubeObject, ObjectMeta } from '@switchboard/core';
import { NotFoundError, isNotFound } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import { peerServiceName } from '../runbook/member-names.js';
import type { Built } from './kube-types.js';
import { FIELD_MANAGER, clusterLabels, clusterSelector } from './labels.js';
import { clusterOwnerReference } from './owner.js';

/** apiVersion and kind of the ServiceMonitor (the bundled Prometheus operator's group). */
export const ServiceMonitorType = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' } as const;

/** The fields of a ServiceMonitor the operator writes. */
export interface ServiceMonitor extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    jobLabel?: string;
    selector: { matchLabels: Record<string, string> };
    namespaceSelector: { matchNames: string[] };
    endpoints: { port: string; path: string; scheme: 'http'; interval?: string }[];
  };
}

/** Name of a cluster's ServiceMonitor (the peer Service's name: `<cluster>`). */
export function serviceMonitorName(cluster: string): string {
  return peerServiceName(cluster);
}

/** The ServiceMonitor of one cluster, owned by it. */
export function serviceMonitor(cluster: EtcdCluster): Built<ServiceMonitor> {
  const name = cluster.metadata.name ?? '';
  const namespace = cluster.metadata.namespace ?? 'default';
  return {
    ...ServiceMonitorType,
    metadata: {
      name: serviceMonitorName(name),
      namespace,
      labels: clusterLabels(name),
      ownerReferences: [clusterOwnerReference(cluster)],
    },
    spec: {
      // job="<cluster>" in Prometheus, from the Services' instance label.
      jobLabel: 'app.kubernetes.io/instance',
      selector: { matchLabels: clusterSelector(name) },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http' }],
    },
  };
}

/** Options of {@link ServiceMonitorSupport}. */
export interface ServiceMonitorSupportOptions {
  /** How long an answer is kept, in ms (default 60 000). */
  ttlMs?: number;
  /** Clock, ms since the epoch (tests). */
  now?: () => number;
  /** The kind to look for (default {@link ServiceMonitorType}). */
  type?: { apiVersion: string; kind: string };
}

/** Whether the API server serves ServiceMonitors, asked through discovery and kept for `ttlMs`. */
export class ServiceMonitorSupport {
  private answer: { served: boolean; at: number } | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** The kind looked for. */
  readonly type: { apiVersion: string; kind: string };

  constructor(
    private readonly client: Client,
    opts: ServiceMonitorSupportOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.type = opts.type ?? ServiceMonitorType;
  }

  /** True when the kind is served. Throws only when discovery itself fails (not on 404). */
  async served(signal?: AbortSignal): Promise<boolean> {
    const now = this.now();
    if (this.answer !== undefined && now - this.answer.at < this.ttlMs) return this.answer.served;
    let served = true;
    try {
      await this.client.discovery.resourceFor(this.type, signal ? { signal } : {});
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      served = false;
    }
    this.answer = { served, at: now };
    return served;
  }
}

/**
 * Applies the cluster's ServiceMonitor when the kind is served and
 * `spec.monitoring.serviceMonitor` is not false; deletes it when false.
 * Does nothing when the kind is not served.
 */
export async function reconcileServiceMonitor(
  client: Client,
  support: ServiceMonitorSupport,
  cluster: EtcdCluster,
  signal?: AbortSignal,
): Promise<'applied' | 'deleted' | 'unsupported'> {
  if (!(await support.served(signal))) return 'unsupported';
  const call = signal ? { signal } : {};
  const monitors = client.resource<ServiceMonitor>(support.type);
  const wanted = serviceMonitor(cluster);
  if (cluster.spec.monitoring?.serviceMonitor === false) {
    try {
      await monitors.delete({ namespace: wanted.metadata.namespace, name: wanted.metadata.name }, call);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return 'deleted';
  }
  await monitors.apply({ ...wanted, ...support.type }, { fieldManager: FIELD_MANAGER, force: true, ...call });
  return 'applied';
}
