// Small statistics for the tables: percentiles, and the join of the driver's
// write acknowledgements with the times a subject saw each write.

/** The p-th percentile (0..100) of `values` by nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Lag of each acknowledged write as seen by a subject. */
export interface LagSummary {
  /** Writes the API server acknowledged. */
  acked: number;
  /** Of those, seen by the subject. */
  seen: number;
  /** Acknowledged but never seen. */
  missed: number;
  p50Ms: number;
  p99Ms: number;
  /** Seen events per second, from the first to the last seen write. */
  eventsPerSec: number;
}

/**
 * Joins writes (resourceVersion -> wall-clock ms when the write was sent)
 * with a subject's records ("resourceVersion wallMs" lines); one clock, one
 * machine, so the difference is the lag.
 */
export function summarizeLag(acks: ReadonlyMap<string, number>, records: string): LagSummary {
  const seenAt = new Map<string, number>();
  for (const line of records.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const rv = line.slice(0, space);
    if (!seenAt.has(rv)) seenAt.set(rv, Number(line.slice(space + 1)));
  }
  const lags: number[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const [rv, ackMs] of acks) {
    const at = seenAt.get(rv);
    if (at === undefined) continue;
    lags.push(at - ackMs);
    first = Math.min(first, at);
    last = Math.max(last, at);
  }
  const span = (last - first) / 1000;
  return {
    acked: acks.size,
    seen: lags.length,
    missed: acks.size - lags.length,
    p50Ms: percentile(lags, 50),
    p99Ms: percentile(lags, 99),
    eventsPerSec: span > 0 ? lags.length / span : Number.NaN,
  };
}

/** Wall-clock milliseconds with sub-millisecond precision (comparable across processes on one machine). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}
