/**
 * metrics: Prometheus metrics with controller-runtime's names and labels, so
 * existing dashboards and alerts work unchanged.
 *
 * Metrics live on a prom-client `Registry` that the manager creates and owns
 * (never the module-global default registry): two managers in one process,
 * or one per test, keep separate counters. The controller layer reports
 * through {@link ControllerMetricSet}; the work queue through its
 * `WorkQueueMetrics` hooks; in-flight work is read at scrape time.
 */
export type { ControllerMetricSet, ReconcileResultLabel } from './controller-metrics.js';
export { ControllerMetrics } from './controller-metrics.js';
