// Names and labels of the objects generated for a Prometheus or an
// Alertmanager. They follow prometheus-operator's so that dashboards,
// NetworkPolicies and `kubectl` habits carry over.
import type { OwnerReference } from '@switchboard/core';
import { MONITORING_API_VERSION } from '../api/index.js';

/** The value of `app.kubernetes.io/managed-by` on everything we create. */
export const MANAGED_BY = 'prometheus-operator';

/** The workload kinds that own generated objects. */
export type WorkloadKind = 'Prometheus' | 'Alertmanager';

/** `prometheus` or `alertmanager`: the name prefix and app label. */
export function appName(kind: WorkloadKind): 'prometheus' | 'alertmanager' {
  return kind === 'Prometheus' ? 'prometheus' : 'alertmanager';
}

/** The StatefulSet name: `prometheus-<name>` / `alertmanager-<name>`. */
export function statefulSetName(kind: WorkloadKind, name: string): string {
  return `${appName(kind)}-${name}`;
}

/** The governing (headless) Service shared by all instances in a namespace. */
export function governingServiceName(kind: WorkloadKind): string {
  return `${appName(kind)}-operated`;
}

/** Labels that select the pods of one instance. */
export function selectorLabels(kind: WorkloadKind, name: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': appName(kind),
    'app.kubernetes.io/instance': name,
    [appName(kind)]: name,
  };
}

/** Labels on every generated object of one instance. */
export function managedLabels(kind: WorkloadKind, name: string): Record<string, string> {
  return { ...selectorLabels(kind, name), 'app.kubernetes.io/managed-by': MANAGED_BY };
}

/** The controller owner reference to a Prometheus or Alertmanager. */
export function ownerReference(
  kind: WorkloadKind,
  owner: { metadata: { name?: string; uid?: string } },
  controller = true,
): OwnerReference {
  return {
    apiVersion: MONITORING_API_VERSION,
    kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller,
    blockOwnerDeletion: true,
  };
}
