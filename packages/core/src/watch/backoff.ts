// Backoff between failed watch attempts, shaped like client-go's reflector:
// 800 ms doubling to 30 s, each delay stretched by up to 100 % random jitter,
// and forgotten once the stream has been healthy for 2 minutes.

import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { BackoffPolicy } from './types.js';

/** Options of {@link ExponentialBackoff}; all times in ms. */
export interface ExponentialBackoffOptions {
  /** First delay. Default 800. */
  initialMs?: number;
  /** Largest delay before jitter. Default 30 000. */
  maxMs?: number;
  /** Factor between consecutive delays. Default 2. */
  factor?: number;
  /** Jitter as a fraction of the delay added at random: 1 means up to +100 %. Default 1. */
  jitter?: number;
  /** A failure this long after the previous one starts from `initialMs` again. Default 120 000. */
  resetAfterMs?: number;
  /** Random source in [0, 1). Default Math.random. */
  random?: () => number;
  clock?: Clock;
}

/** Capped exponential backoff with jitter and automatic reset. */
export class ExponentialBackoff implements BackoffPolicy {
  private current = 0;
  private lastFailure = -Infinity;
  private readonly o: Required<ExponentialBackoffOptions>;

  constructor(opts: ExponentialBackoffOptions = {}) {
    this.o = {
      initialMs: 800,
      maxMs: 30_000,
      factor: 2,
      jitter: 1,
      resetAfterMs: 120_000,
      random: Math.random,
      clock: systemClock,
      ...opts,
    };
  }

  next(): number {
    const now = this.o.clock.now();
    if (now - this.lastFailure >= this.o.resetAfterMs) this.current = 0;
    this.lastFailure = now;
    this.current =
      this.current === 0 ? this.o.initialMs : Math.min(this.current * this.o.factor, this.o.maxMs);
    return this.current + this.current * this.o.jitter * this.o.random();
  }

  reset(): void {
    this.current = 0;
    this.lastFailure = -Infinity;
  }
}
