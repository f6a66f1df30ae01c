/**
 * controller-runtime's metric names, labels and buckets on a registry the
 * caller owns, so two managers in one process never share counters.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { UnfinishedWork, WorkQueueMetrics } from '../queue/index.js';

/** How a reconcile ended, as controller-runtime labels it. */
export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

/** The metrics of one controller, bound to its name. */
export interface ControllerMetricSet {
  /** Counts a finished reconcile and observes its duration in seconds. */
  reconciled(result: ReconcileResultLabel, seconds: number): void;
  /** Counts a reconcile error; `terminal` errors are also counted apart. */
  reconcileError(terminal: boolean): void;
  /** Adds `delta` (+1 / -1) to the workers currently reconciling. */
  activeWorkers(delta: number): void;
  /** Records the configured concurrency. */
  maxConcurrentReconciles(n: number): void;
  /** Hooks for this controller's work queue. */
  readonly queue: WorkQueueMetrics;
  /** Registers the queue whose in-flight work is read at scrape time. */
  trackUnfinishedWork(source: () => UnfinishedWork): void;
  /** Drops the unfinished-work source (controller stopped). */
  untrack(): void;
}

const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** client-go's ExponentialBuckets(10e-9, 10, 12). */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

/**
 * Every metric a manager exports, created on `registry`.
 *
 * @example
 * const registry = new Registry();
 * const metrics = new ControllerMetrics(registry);
 * const m = metrics.forController('memcached');
 * m.reconciled('success', 0.012);
 * await registry.metrics(); // Prometheus text format
 */
export class ControllerMetrics {
  private readonly reconcileTotal: Counter<'controller' | 'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly terminalErrors: Counter<'controller'>;
  private readonly reconcileTime: Histogram<'controller'>;
  private readonly workers: Gauge<'controller'>;
  private readonly maxConcurrent: Gauge<'controller'>;
  private readonly depth: Gauge<'controller' | 'name'>;
  private readonly adds: Counter<'controller' | 'name'>;
  private readonly retries: Counter<'controller' | 'name'>;
  private readonly queueDuration: Histogram<'controller' | 'name'>;
  private readonly workDuration: Histogram<'controller' | 'name'>;
  private readonly leader: Gauge<'name'>;
  private readonly unfinished = new Map<string, () => UnfinishedWork>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.terminalErrors = new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.workers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.maxConcurrent = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    const q = ['controller', 'name'] as const;
    this.depth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: q,
      registers,
    });
    this.adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: q,
      registers,
    });
    this.retries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: q,
      registers,
    });
    this.queueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: q,
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: q,
      buckets: QUEUE_BUCKETS,
      registers,
    });
    const unfinished = this.unfinished;
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads.",
      labelNames: q,
      registers,
      collect() {
        for (const [name, read] of unfinished) this.set({ controller: name, name }, read().totalSeconds);
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: q,
      registers,
      collect() {
        for (const [name, read] of unfinished) this.set({ controller: name, name }, read().longestSeconds);
      },
    });
    this.leader = new Gauge({
      name: 'leader_election_master_status',
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.",
      labelNames: ['name'],
      registers,
    });
  }

  /** The metric set of controller `name`; series start at zero so dashboards see them at once. */
  forController(name: string): ControllerMetricSet {
    const c = { controller: name };
    const q = { controller: name, name };
    for (const result of ['success', 'error', 'requeue', 'requeue_after'] as const)
      this.reconcileTotal.inc({ ...c, result }, 0);
    this.reconcileErrors.inc(c, 0);
    this.terminalErrors.inc(c, 0);
    this.workers.set(c, 0);
    this.depth.set(q, 0);
    this.adds.inc(q, 0);
    this.retries.inc(q, 0);
    return {
      reconciled: (result, seconds) => {
        this.reconcileTotal.inc({ ...c, result });
        this.reconcileTime.observe(c, seconds);
      },
      reconcileError: (terminal) => {
        this.reconcileErrors.inc(c);
        if (terminal) this.terminalErrors.inc(c);
      },
      activeWorkers: (delta) => this.workers.inc(c, delta),
      maxConcurrentReconciles: (n) => this.maxConcurrent.set(c, n),
      queue: {
        depth: (n) => this.depth.set(q, n),
        added: () => this.adds.inc(q),
        retried: () => this.retries.inc(q),
        queued: (s) => this.queueDuration.observe(q, s),
        worked: (s) => this.workDuration.observe(q, s),
      },
      trackUnfinishedWork: (source) => {
        this.unfinished.set(name, source);
      },
      untrack: () => {
        this.unfinished.delete(name);
      },
    };
  }

  /** Sets `leader_election_master_status{name}` to 1 (leading) or 0. */
  leaderStatus(leaseName: string, leading: boolean): void {
    this.leader.set({ name: leaseName }, leading ? 1 : 0);
  }
}
