// How big each figure's run is. The defaults fit `npm run bench` into under
// ten minutes on a 2-core machine that also runs the API server and etcd;
// the smoke sizes only prove that every path still works.

/** The sizes of one bench run. */
export interface BenchSizes {
  /** Figure 1: ConfigMaps (1 KiB of data each) listed into a fresh informer, one run per size. */
  syncObjects: readonly number[];
  /** Figure 2: target update rate (writes/s) and how long the churn lasts (s). */
  churnRate: number;
  churnSeconds: number;
  /** Figure 3: paced single updates per second, for how long (s). */
  latencyRate: number;
  latencySeconds: number;
  /** Figure 4: objects reconciled (the first `throughputObjects` of the sync set), and the concurrencies. */
  throughputObjects: number;
  concurrencies: readonly number[];
  /** Figure 4: items through the bare work queue. */
  queueItems: number;
  /** Figure 5: objects whose status is written once each, and the reconcile concurrency. */
  statusObjects: number;
  statusConcurrency: number;
  /** Figure 6: cached objects for the memory-at-rest figure (must be one of `syncObjects`). */
  restObjects: number;
  /** Pause before a process is measured at rest, and before the driver reads latency records, ms. */
  settleMs: number;
  /** After the last churn write, how long watchers get to deliver the tail before misses are counted, ms. */
  graceMs: number;
}

/** `npm run bench` defaults; see docs/performance.md for why these. */
export const DEFAULT_SIZES: BenchSizes = {
  syncObjects: [10_000, 50_000],
  churnRate: 2_000,
  churnSeconds: 30,
  latencyRate: 50,
  latencySeconds: 10,
  throughputObjects: 10_000,
  concurrencies: [1, 8, 32],
  queueItems: 200_000,
  statusObjects: 5_000,
  statusConcurrency: 8,
  restObjects: 10_000,
  settleMs: 1_000,
  graceMs: 5_000,
};

/** `--smoke`: tiny sizes, every code path, well under a minute. */
export const SMOKE_SIZES: BenchSizes = {
  syncObjects: [200],
  churnRate: 100,
  churnSeconds: 2,
  latencyRate: 20,
  latencySeconds: 1,
  throughputObjects: 200,
  concurrencies: [1, 8],
  queueItems: 2_000,
  statusObjects: 50,
  statusConcurrency: 4,
  restObjects: 200,
  settleMs: 200,
  graceMs: 1_000,
};
