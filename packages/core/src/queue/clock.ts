/**
 * The clock every time-dependent part of the queue takes as a parameter, so
 * tests step time by hand instead of sleeping (client-go's `clock.Clock`).
 */

/**
 * Time source with cancellable timers, injected so tests control time. The
 * same shape as the watch layer's clock, so one implementation serves both.
 */
export interface Clock {
  /** Milliseconds since an arbitrary epoch; only differences matter. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` once after `ms`; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      cancel();
      reject(signal?.reason as Error);
    };
    const cancel = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The wall clock. Timers are unref'd: a pending delayed add never keeps the
 * process alive on its own.
 */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep(ms, signal) {
    return sleepWith(realClock, ms, signal);
  },
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return () => clearTimeout(t);
  },
};

interface FakeTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told to. `advance(ms)` fires due timers in
 * time order, each seeing `now()` equal to its own due time.
 *
 * @example
 * const clock = new FakeClock();
 * const q = new WorkQueue<string>({ clock });
 * q.addAfter('a', 100);
 * clock.advance(100); // 'a' is now queued
 */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: FakeTimer[] = [];

  /** @param start initial time in ms since the epoch (default 0). */
  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.timers.push({ id, at: this.current + Math.max(0, ms), fn });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Number of timers not yet fired. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.timers) {
        if (t.at <= target && (next === undefined || t.at < next.at || (t.at === next.at && t.id < next.id)))
          next = t;
      }
      if (next === undefined) break;
      const fired = next;
      this.timers = this.timers.filter((t) => t.id !== fired.id);
      this.current = fired.at;
      fired.fn();
    }
    this.current = target;
  }
}
