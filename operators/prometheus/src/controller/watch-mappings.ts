// Which Prometheus objects a change to another object concerns. The
// controller watches monitors, rules, namespaces, Secrets and ConfigMaps; each
// event is mapped, through the caches, to the Prometheus objects whose
// generated config could change because of it, and only those are
// reconciled. An update is mapped with both its old and its new state (the
// builder does that), so an object that leaves a selection is seen by the
// Prometheus it left.
import type { KubeObject, MapFunction, ObjectKey } from '@switchboard/core';
import type { PodMonitor, Prometheus, ServiceMonitor } from '../api/index.js';
import { referencedAssets } from '../config/asset-references.js';
import { selectorMatches } from '../config/label-selector.js';
import { selectForPrometheus, selectorsFor } from '../config/selection.js';
import type { NamespaceLabels, SelectedKind } from '../config/selection.js';

/** Cached views the mappings read; each call returns the current content. */
export interface MonitoringCaches {
  prometheuses(): readonly Prometheus[];
  serviceMonitors(): readonly ServiceMonitor[];
  podMonitors(): readonly PodMonitor[];
  namespaceLabels(): NamespaceLabels;
}

const SELECTED_KINDS: readonly SelectedKind[] = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'];

function keyOf(p: Prometheus): ObjectKey {
  return { namespace: p.metadata.namespace ?? '', name: p.metadata.name ?? '' };
}

/** The Prometheus objects that select this ServiceMonitor, PodMonitor or PrometheusRule. */
export function prometheusesSelecting<T extends KubeObject>(
  kind: SelectedKind,
  caches: MonitoringCaches,
): MapFunction<T> {
  return (obj) => {
    const namespaces = caches.namespaceLabels();
    return caches
      .prometheuses()
      .filter((p) => selectForPrometheus(p, kind, [obj], namespaces).length > 0)
      .map(keyOf);
  };
}

/**
 * The Prometheus objects whose namespace selectors (of any selected kind)
 * match this namespace's labels. Mapped before and after a label change,
 * this finds every Prometheus the namespace moved into or out of.
 */
export function prometheusesSelectingNamespace(caches: MonitoringCaches): MapFunction<KubeObject> {
  return (ns) =>
    caches
      .prometheuses()
      .filter((p) =>
        SELECTED_KINDS.some((kind) => {
          const { selector, namespaceSelector } = selectorsFor(p, kind);
          return (
            selector !== undefined &&
            namespaceSelector !== undefined &&
            selectorMatches(namespaceSelector, ns.metadata.labels)
          );
        }),
      )
      .map(keyOf);
}

/**
 * The Prometheus objects whose config reads this Secret or ConfigMap (basic
 * auth, bearer tokens, TLS files of selected monitors; alerting and remote
 * write credentials).
 */
export function prometheusesReferencing(
  kind: 'Secret' | 'ConfigMap',
  caches: MonitoringCaches,
): MapFunction<KubeObject> {
  return (obj) => {
    const namespace = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const namespaces = caches.namespaceLabels();
    const serviceMonitors = caches.serviceMonitors();
    const podMonitors = caches.podMonitors();
    return caches
      .prometheuses()
      .filter((p) => {
        const sm = selectForPrometheus(p, 'ServiceMonitor', serviceMonitors, namespaces);
        const pm = selectForPrometheus(p, 'PodMonitor', podMonitors, namespaces);
        return referencedAssets(p, sm, pm).some(
          (r) => r.kind === kind && r.namespace === namespace && r.name === name,
        );
      })
      .map(keyOf);
  };
}

/**
 * Every workload of `namespace` among `workloads`: the governing Service is
 * shared by all of a namespace's instances and owned by none of them as
 * controller, so its deletion is repaired by reconciling them all.
 */
export function workloadsInNamespace<W extends KubeObject>(
  workloads: () => readonly W[],
  serviceName: string,
): MapFunction<KubeObject> {
  return (svc) => {
    if (svc.metadata.name !== serviceName) return [];
    return workloads()
      .filter((w) => w.metadata.namespace === svc.metadata.namespace)
      .map((w) => ({ namespace: w.metadata.namespace ?? '', name: w.metadata.name ?? '' }));
  };
}
