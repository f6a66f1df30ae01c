// Which ServiceMonitors, PodMonitors and PrometheusRules belong to a
// Prometheus: the object's labels must match the kind's selector, and its
// namespace must match the kind's namespace selector. As in the reference,
// an absent selector selects nothing, an empty one everything; an absent
// namespace selector means the Prometheus's own namespace only.
import type { LabelSelector, Prometheus } from '../api/index.js';
import { selectorMatches } from './label-selector.js';

/** Labels of every namespace the operator can see, by name. */
export type NamespaceLabels = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** The kinds a Prometheus selects. */
export type SelectedKind = 'ServiceMonitor' | 'PodMonitor' | 'PrometheusRule';

/** A Prometheus's selector and namespace selector for one kind. */
export function selectorsFor(
  prometheus: Prometheus,
  kind: SelectedKind,
): { selector?: LabelSelector; namespaceSelector?: LabelSelector } {
  const s = prometheus.spec;
  const pair = (
    selector?: LabelSelector,
    namespaceSelector?: LabelSelector,
  ): { selector?: LabelSelector; namespaceSelector?: LabelSelector } => ({
    ...(selector === undefined ? {} : { selector }),
    ...(namespaceSelector === undefined ? {} : { namespaceSelector }),
  });
  switch (kind) {
    case 'ServiceMonitor':
      return pair(s.serviceMonitorSelector, s.serviceMonitorNamespaceSelector);
    case 'PodMonitor':
      return pair(s.podMonitorSelector, s.podMonitorNamespaceSelector);
    case 'PrometheusRule':
      return pair(s.ruleSelector, s.ruleNamespaceSelector);
  }
}

/**
 * The objects of `kind` among `candidates` that `prometheus` selects.
 *
 * @example
 * ```ts
 * const monitors = selectForPrometheus(prom, 'ServiceMonitor', cache.list(), namespaceLabels);
 * ```
 */
export function selectForPrometheus<
  T extends { metadata: { namespace?: string; labels?: Record<string, string> } },
>(prometheus: Prometheus, kind: SelectedKind, candidates: readonly T[], namespaces: NamespaceLabels): T[] {
  const { selector, namespaceSelector } = selectorsFor(prometheus, kind);
  if (selector === undefined) return [];
  const own = prometheus.metadata.namespace ?? '';
  const namespaceSelected = (ns: string): boolean =>
    namespaceSelector === undefined
      ? ns === own
      : selectorMatches(namespaceSelector, namespaces.get(ns) ?? {});
  return candidates.filter(
    (c) => namespaceSelected(c.metadata.namespace ?? '') && selectorMatches(selector, c.metadata.labels),
  );
}
