/**
 * Rate limiters decide how long an item waits before it is retried. Same
 * three-method shape and numbers as client-go's `default_rate_limiters.go`:
 * per-item exponential backoff (5 ms doubling up to 1000 s) combined with an
 * overall token bucket (10 per second, burst 100) by taking the longer delay.
 */
import type { Clock } from './clock.js';
import { realClock } from './clock.js';

/** Decides retry delays. Implement this to plug in your own policy. */
export interface RateLimiter<T> {
  /** How long (ms) `item` should wait now; counts as one more failure. */
  when(item: T): number;
  /** Stops tracking `item`: its next failure starts from the base delay again. */
  forget(item: T): void;
  /** How many times `item` has been rate limited since it was last forgotten. */
  numRequeues(item: T): number;
}

/** Options of {@link ItemExponentialFailureRateLimiter}. */
export interface ItemExponentialBackoffOptions {
  /** First delay in ms. Default 5. */
  baseDelayMs?: number;
  /** Largest delay in ms. Default 1,000,000 (1000 s). */
  maxDelayMs?: number;
}

/**
 * Per-item exponential backoff: `base * 2^failures`, capped at `max`.
 * With the defaults: 5 ms, 10 ms, 20 ms, ... , 1000 s.
 */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(opts: ItemExponentialBackoffOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
  }

  when(item: T): number {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    // 2^exp overflows to Infinity long after it passes any sane max; the cap handles both.
    const delay = this.baseDelayMs * 2 ** exp;
    return Number.isFinite(delay) && delay < this.maxDelayMs ? delay : this.maxDelayMs;
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** Options of {@link BucketRateLimiter}. */
export interface BucketOptions {
  /** Tokens added per second. Default 10. */
  qps?: number;
  /** Bucket size: how many items may go without delay at once. Default 100. */
  burst?: number;
  /** Time source. Default the wall clock. */
  clock?: Clock;
}

/**
 * Overall token bucket shared by all items (golang.org/x/time/rate's
 * reservation semantics): each `when` takes a token and, when the bucket is
 * empty, returns how long until that token exists. Per-item state: none.
 */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  constructor(opts: BucketOptions = {}) {
    this.qps = opts.qps ?? 10;
    this.burst = opts.burst ?? 100;
    this.clock = opts.clock ?? realClock;
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  when(_item: T): number {
    const now = this.clock.now();
    const elapsedSec = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsedSec * this.qps);
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return (-this.tokens / this.qps) * 1000;
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** Combines limiters: the delay is the longest any of them asks for. */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: readonly RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    if (limiters.length === 0) throw new TypeError('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/**
 * client-go's `DefaultControllerRateLimiter`: max of per-item exponential
 * (5 ms .. 1000 s) and an overall bucket (10 qps, burst 100).
 */
export function defaultControllerRateLimiter<T>(clock: Clock = realClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>({ baseDelayMs: 5, maxDelayMs: 1_000_000 }),
    new BucketRateLimiter<T>({ qps: 10, burst: 100, clock }),
  );
}
