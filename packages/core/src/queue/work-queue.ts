/**
 * The work queue between event handlers and reconcile workers, after
 * client-go's `util/workqueue` (queue.go, delaying_queue.go,
 * rate_limiting_queue.go) folded into one class.
 */
import type { Clock } from './clock.js';
import { realClock } from './clock.js';
import type { RateLimiter } from './rate-limiter.js';
import { defaultControllerRateLimiter } from './rate-limiter.js';

/**
 * Hooks the queue calls as work moves through it; the metrics layer
 * implements them with prom-client. All optional, all synchronous.
 */
export interface WorkQueueMetrics {
  /** Queue length (items waiting, not counting in-flight ones) changed. */
  depth?(n: number): void;
  /** An add was accepted (deduplicated adds are counted too, like client-go). */
  added?(): void;
  /** An item was rate-limited for a retry. */
  retried?(): void;
  /** Seconds an item waited in the queue before a worker took it. */
  queued?(seconds: number): void;
  /** Seconds a worker held an item (get to done). */
  worked?(seconds: number): void;
}

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions<T> {
  /** Time source for delays and durations. Default the wall clock. */
  clock?: Clock;
  /** Retry policy for {@link WorkQueue.addRateLimited}. Default {@link defaultControllerRateLimiter}. */
  rateLimiter?: RateLimiter<T>;
  /** Metric hooks. Default none. */
  metrics?: WorkQueueMetrics;
}

/** Work held by workers right now, for the unfinished-work metrics. */
export interface UnfinishedWork {
  /** Sum over in-flight items of seconds since their worker took them. */
  readonly totalSeconds: number;
  /** Seconds the longest-running in-flight item has been held. */
  readonly longestSeconds: number;
}

/**
 * A deduplicating, fair work queue.
 *
 * Guarantees:
 * - an item is queued at most once, however often it is added;
 * - an item handed to a worker is not handed to another until `done(item)`;
 *   re-adding it meanwhile marks it dirty and it is queued again at `done`;
 * - `addAfter` delays keep only the earliest pending time per item.
 *
 * Items are compared with `Set` semantics: use strings (object keys) or
 * stable references.
 *
 * @example
 * const q = new WorkQueue<string>();
 * q.add('ns/a');
 * const key = await q.get(); // 'ns/a'
 * try { await work(key); q.forget(key); } catch { q.addRateLimited(key); } finally { q.done(key); }
 */
export class WorkQueue<T extends NonNullable<unknown>> {
  // Invariants (client-go's, written beside the fields):
  // - every item in `queue` is in `dirty`;
  // - no item is in both `queue` and `processing`;
  // - an item in `dirty` and `processing` is re-queued by `done`.
  private queue: T[] = [];
  private head = 0; // queue[head..] are waiting; shifting an array is O(n)
  private readonly dirty = new Set<T>();
  private readonly processing = new Map<T, number>(); // item -> time a worker took it
  private readonly queuedAt = new Map<T, number>(); // item -> time it entered `queue`
  private readonly waiting = new Map<T, { at: number; cancel: () => void }>();
  private readonly getters: ((item: T | undefined) => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private shuttingDown = false;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<T>;
  private readonly metrics: WorkQueueMetrics;

  constructor(opts: WorkQueueOptions<T> = {}) {
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
    this.metrics = opts.metrics ?? {};
  }

  /** Queues `item` unless it is already queued; ignored after shutdown. */
  add(item: T): void {
    if (this.shuttingDown) return;
    this.metrics.added?.();
    if (this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return; // `done` will queue it
    this.push(item);
  }

  /** Queues `item` after `delayMs`; an earlier pending delay for it wins. */
  addAfter(item: T, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const at = this.clock.now() + delayMs;
    const pending = this.waiting.get(item);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      pending.cancel();
    }
    const cancel = this.clock.setTimer(() => {
      this.waiting.delete(item);
      this.add(item);
    }, delayMs);
    this.waiting.set(item, { at, cancel });
  }

  /** Queues `item` after the rate limiter's delay and counts a retry. */
  addRateLimited(item: T): void {
    if (this.shuttingDown) return;
    this.metrics.retried?.();
    this.addAfter(item, this.limiter.when(item));
  }

  /** Resets `item`'s backoff: call after it was processed successfully. */
  forget(item: T): void {
    this.limiter.forget(item);
  }

  /** Times `item` was rate limited since it was last forgotten. */
  numRequeues(item: T): number {
    return this.limiter.numRequeues(item);
  }

  /**
   * Waits for the next item and marks it processing. Resolves `undefined`
   * once the queue is shut down (queued items are then abandoned).
   * Every item returned must be passed to {@link done}, in a `finally`.
   */
  get(signal?: AbortSignal): Promise<T | undefined> {
    if (this.shuttingDown || signal?.aborted === true) return Promise.resolve(undefined);
    const item = this.pop();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise<T | undefined>((resolve) => {
      const onAbort = (): void => {
        const i = this.getters.indexOf(deliver);
        if (i >= 0) this.getters.splice(i, 1);
        resolve(undefined);
      };
      const deliver = (value: T | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.getters.push(deliver);
    });
  }

  /** Marks `item` finished; if it was re-added meanwhile, queues it again. */
  done(item: T): void {
    const startedAt = this.processing.get(item);
    if (startedAt === undefined) return;
    this.metrics.worked?.((this.clock.now() - startedAt) / 1000);
    this.processing.delete(item);
    if (this.shuttingDown) {
      this.dirty.delete(item);
      if (this.processing.size === 0) for (const w of this.drainWaiters.splice(0)) w();
      return;
    }
    if (this.dirty.has(item)) this.push(item);
  }

  /** Items waiting to be handed out (not counting in-flight or delayed ones). */
  len(): number {
    return this.queue.length - this.head;
  }

  /** Items handed to workers and not yet done. */
  inFlight(): number {
    return this.processing.size;
  }

  /** True once {@link shutdown} or {@link shutdownWithDrain} was called. */
  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Seconds of in-flight work, for `workqueue_unfinished_work_seconds`. */
  unfinishedWork(): UnfinishedWork {
    const now = this.clock.now();
    let total = 0;
    let longest = 0;
    for (const at of this.processing.values()) {
      const s = (now - at) / 1000;
      total += s;
      longest = Math.max(longest, s);
    }
    return { totalSeconds: total, longestSeconds: longest };
  }

  /**
   * Stops the queue at once: new adds are ignored, delayed adds cancelled,
   * queued items abandoned, and waiting `get` calls resolve `undefined`.
   * In-flight items may still call `done`.
   */
  shutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { cancel } of this.waiting.values()) cancel();
    this.waiting.clear();
    for (const item of this.queue.slice(this.head)) this.dirty.delete(item);
    this.queue = [];
    this.head = 0;
    this.queuedAt.clear();
    this.metrics.depth?.(0);
    for (const g of this.getters.splice(0)) g(undefined);
  }

  /**
   * Shuts down, then waits until every in-flight item is `done` or
   * `timeoutMs` passes. Resolves `true` if drained, `false` if the bound hit
   * (in-flight work is then abandoned, not cancelled: pass a signal to it).
   */
  shutdownWithDrain(timeoutMs: number): Promise<boolean> {
    this.shutdown();
    if (this.processing.size === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const onDrained = (): void => {
        cancelTimeout();
        resolve(true);
      };
      const cancelTimeout = this.clock.setTimer(() => {
        const i = this.drainWaiters.indexOf(onDrained);
        if (i >= 0) this.drainWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      this.drainWaiters.push(onDrained);
    });
  }

  private push(item: T): void {
    const getter = this.getters.shift();
    if (getter !== undefined) {
      this.metrics.queued?.(0);
      this.dirty.delete(item);
      this.processing.set(item, this.clock.now());
      getter(item);
      return;
    }
    this.queue.push(item);
    this.queuedAt.set(item, this.clock.now());
    this.metrics.depth?.(this.len());
  }

  private pop(): T | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head] as T;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    const now = this.clock.now();
    this.metrics.depth?.(this.len());
    this.metrics.queued?.((now - (this.queuedAt.get(item) ?? now)) / 1000);
    this.queuedAt.delete(item);
    this.dirty.delete(item);
    this.processing.set(item, now);
    return item;
  }
}
