/**
 * metrics: Prometheus metrics with controller-runtime's names and labels, so
 * existing dashboards and alerts work unchanged.
 *
 * Metrics live on a prom-client `Registry` that the manager creates and owns
 * (never the module-global default registry): two managers in one process,
 * or one per test, keep separate counters. The controller layer reports
 * through {@link ControllerMetricSet}; the work queue through its
 * `WorkQueueMetrics` hooks; in-flight work is read at scrape time.
 *
 * An operator's own metrics go on the same registry (`manager.registry`),
 * made with the metric classes exported here: they are prom-client's, the
 * same copy the manager's registry comes from, so the operator needs no
 * prom-client dependency of its own (a second copy could not register on it).
 */
export type { ControllerMetricSet, ReconcileResultLabel } from './controller-metrics.js';
export { ControllerMetrics } from './controller-metrics.js';
/**
 * prom-client's metric classes, for an operator's own metrics on
 * `manager.registry` (pass it in `registers`; never the global registry),
 * and its `Registry`, for metrics tested without a manager.
 *
 * @example
 * ```ts
 * const clusters = new Gauge({
 *   name: 'widget_operator_widgets',
 *   help: 'Widgets the operator reconciles',
 *   registers: [manager.registry],
 * });
 * clusters.set(3);
 * ```
 */
export { Counter, Gauge, Histogram, Registry } from 'prom-client';
