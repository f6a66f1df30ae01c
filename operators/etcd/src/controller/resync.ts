// When an EtcdCluster pass asks to be run again. Every outcome of a pass and
// of a step executor is one of these delays as core's
// `Outcome.requeueAfter`: the runbook looks again on its own schedule (the
// controller does not watch its own status writes), and only a thrown error
// falls back to the rate limiter's backoff.

/** Delays between passes, in ms. */
export interface ResyncIntervals {
  /** After a mutating step, or a step etcd asked to try again shortly (default 2 000). */
  afterChangeMs: number;
  /** While waiting for something (default 5 000). */
  waitingMs: number;
  /** Once converged: periodic health check (default 30 000). */
  convergedMs: number;
}

/** Defaults of {@link ResyncIntervals}. */
export const DEFAULT_RESYNC: ResyncIntervals = { afterChangeMs: 2000, waitingMs: 5000, convergedMs: 30_000 };
