// Wires the Prometheus reconciler into a core Manager with the builder. It
// reconciles Prometheus objects (spec, label and annotation changes; its own
// status writes cause no pass), owns what it generates (StatefulSet, Secrets,
// rule ConfigMaps: a change or deletion requeues the owner), and watches what
// the config is made of: ServiceMonitors, PodMonitors and PrometheusRules
// (mapped to the Prometheus objects selecting them), namespaces (label
// changes move monitors in or out of namespace selectors), and the Secrets
// and ConfigMaps the config reads credentials and TLS files from.
import type { KubeObject, Manager, ReconcileOutcome } from '@switchboard/core';
import {
  Outcome,
  annotationsChanged,
  generationChanged,
  labelsChanged,
  or,
  resourceVersionChanged,
} from '@switchboard/core';
import type { PodMonitor, Prometheus, ServiceMonitor } from '../api/index.js';
import type { NamespaceLabels } from '../config/selection.js';
import { DEFAULT_IMAGES } from '../resources/images.js';
import type { ImageSettings } from '../resources/images.js';
import { governingServiceName } from '../resources/labels.js';
import {
  CONFIG_MAP,
  NAMESPACE,
  POD_MONITOR,
  PROMETHEUS,
  PROMETHEUS_RULE,
  SECRET,
  SERVICE,
  SERVICE_MONITOR,
  STATEFUL_SET,
} from './monitoring-kinds.js';
import { reconcilePrometheus } from './prometheus-reconciler.js';
import type { MonitoringCaches } from './watch-mappings.js';
import {
  prometheusesReferencing,
  prometheusesSelecting,
  prometheusesSelectingNamespace,
  workloadsInNamespace,
} from './watch-mappings.js';

/** Name of the controller (metrics label, logs). */
export const PROMETHEUS_CONTROLLER_NAME = 'prometheus';

/** Options of {@link addPrometheusController}. */
export interface PrometheusControllerOptions {
  /** Images of the generated pods. Default {@link DEFAULT_IMAGES}. */
  images?: ImageSettings;
  /** Prometheus objects reconciled at once (default 4; one object is never reconciled twice at once). */
  maxConcurrentReconciles?: number;
  /**
   * How often a converged Prometheus is looked at again, in ms, so status
   * follows the pods even if an event was missed. Default 5 minutes.
   */
  resyncMs?: number;
  /** Restrict the monitors and rules read to this namespace; pass the manager's `namespace` (the --namespace flag). */
  namespace?: string;
}

/** Store-backed views of the kinds the mappings read, from the manager's shared informers. */
function managerCaches(manager: Manager): MonitoringCaches {
  const store = <T extends KubeObject>(type: { apiVersion: string; kind: string }) =>
    manager.informers.informerFor<T>(type).store;
  const prometheuses = store<Prometheus>(PROMETHEUS);
  const serviceMonitors = store<ServiceMonitor>(SERVICE_MONITOR);
  const podMonitors = store<PodMonitor>(POD_MONITOR);
  const namespaces = store<KubeObject>(NAMESPACE);
  return {
    prometheuses: () => prometheuses.list(),
    serviceMonitors: () => serviceMonitors.list(),
    podMonitors: () => podMonitors.list(),
    namespaceLabels: (): NamespaceLabels =>
      new Map(namespaces.list().map((n) => [n.metadata.name ?? '', n.metadata.labels ?? {}])),
  };
}

/**
 * Adds the Prometheus controller to a manager. The manager's namespace (if
 * any) scopes Prometheus objects and the monitors and rules they select.
 *
 * @example
 * ```ts
 * const manager = new Manager({ namespace: 'monitoring' });
 * addPrometheusController(manager, { namespace: 'monitoring' });
 * await manager.start(shutdownSignal());
 * ```
 */
export function addPrometheusController(manager: Manager, opts: PrometheusControllerOptions = {}): void {
  const images = opts.images ?? DEFAULT_IMAGES;
  const resyncMs = opts.resyncMs ?? 5 * 60_000;
  const caches = managerCaches(manager);
  // Only changes that can alter what we generate; status writes (ours and
  // the rule reports) would otherwise cause a pass each.
  const specOrMeta = or(generationChanged, labelsChanged, annotationsChanged);
  manager
    .controller()
    .named(PROMETHEUS_CONTROLLER_NAME)
    .for(PROMETHEUS, { predicates: [specOrMeta] })
    .owns(STATEFUL_SET, { predicates: [resourceVersionChanged] })
    .owns(SECRET, { predicates: [resourceVersionChanged] })
    .owns(CONFIG_MAP, { predicates: [resourceVersionChanged] })
    .watches(
      SERVICE,
      workloadsInNamespace(() => caches.prometheuses(), governingServiceName('Prometheus')),
      { predicates: [(ev) => ev.type === 'delete'] },
    )
    .watches(SERVICE_MONITOR, prometheusesSelecting('ServiceMonitor', caches), { predicates: [specOrMeta] })
    .watches(POD_MONITOR, prometheusesSelecting('PodMonitor', caches), { predicates: [specOrMeta] })
    .watches(PROMETHEUS_RULE, prometheusesSelecting('PrometheusRule', caches), { predicates: [specOrMeta] })
    .watches(NAMESPACE, prometheusesSelectingNamespace(caches), { predicates: [labelsChanged] })
    .watches(SECRET, prometheusesReferencing('Secret', caches), { predicates: [resourceVersionChanged] })
    .watches(CONFIG_MAP, prometheusesReferencing('ConfigMap', caches), {
      predicates: [resourceVersionChanged],
    })
    .withOptions({ maxConcurrentReconciles: opts.maxConcurrentReconciles ?? 4 })
    .build(async (req, ctx): Promise<ReconcileOutcome> => {
      const key = { name: req.name, ...(req.namespace ? { namespace: req.namespace } : {}) };
      const result = await reconcilePrometheus(
        key,
        { client: manager.client, images, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
        ctx.signal,
      );
      if (result !== undefined && !result.ok)
        ctx.log.info('not fully reconciled', { reason: result.reason, message: result.message });
      return result === undefined ? Outcome.done() : Outcome.requeueAfter(resyncMs);
    });
}
