/**
 * The clock every time-dependent part of the queue takes as a parameter, so
 * tests step time by hand instead of sleeping (client-go's `clock.Clock`).
 */

/** An opaque handle for a pending timer. */
export interface TimerHandle {
  readonly id: number;
}

/** Time source and timer scheduler, injected so tests control time. */
export interface Clock {
  /** Current time in milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `delayMs` milliseconds. */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer; a no-op if it already fired or was cleared. */
  clearTimer(handle: TimerHandle): void;
}

/**
 * The wall clock, backed by `Date.now` and `setTimeout`. Timers are unref'd:
 * a pending delayed add never keeps the process alive on its own.
 */
export class RealClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(
      () => {
        this.timers.delete(id);
        fn();
      },
      Math.max(0, delayMs),
    );
    t.unref();
    this.timers.set(id, t);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t !== undefined) {
      clearTimeout(t);
      this.timers.delete(handle.id);
    }
  }
}

/** The shared wall clock. Stateless apart from its timer table. */
export const realClock: Clock = new RealClock();

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

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, at: this.current + Math.max(0, delayMs), fn });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle.id);
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
        if (t.at <= target && (next === undefined || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
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
