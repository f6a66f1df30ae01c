import { FakeClock } from './clock.js';
import { ItemExponentialFailureRateLimiter } from './rate-limiter.js';
import { WorkQueue } from './work-queue.js';

function queue(clock = new FakeClock()): { q: WorkQueue<string>; clock: FakeClock } {
  return { q: new WorkQueue<string>({ clock }), clock };
}

/** Resolves with whatever `p` settled to, or 'pending' if it has not settled after a turn. */
async function peek<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setImmediate(() => r('pending')))]);
}

describe('WorkQueue', () => {
  it('deduplicates an item added many times before it is taken', async () => {
    const { q } = queue();
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(await peek(q.get())).toBe('pending');
  });

  it('never hands an item being processed to a second worker', async () => {
    const { q } = queue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a'); // re-added while processing
    expect(q.len()).toBe(0);
    const second = q.get();
    expect(await peek(second)).toBe('pending');
    q.done('a');
    expect(await second).toBe('a'); // processed again after done
  });

  it('processes an item re-added during processing exactly once more', async () => {
    const { q } = queue();
    q.add('a');
    await q.get();
    q.add('a');
    q.add('a');
    q.done('a');
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('keeps keys fair and in order across many workers', async () => {
    const { q } = queue();
    const seen: string[] = [];
    const inFlight = new Set<string>();
    const worker = async (): Promise<void> => {
      for (;;) {
        const k = await q.get();
        if (k === undefined) return;
        try {
          expect(inFlight.has(k)).toBe(false);
          inFlight.add(k);
          seen.push(k);
          await new Promise((r) => setImmediate(r));
          if (seen.length < 30) q.add(k); // re-add while processing
        } finally {
          inFlight.delete(k);
          q.done(k);
        }
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    for (const k of ['a', 'b', 'c']) q.add(k);
    while (seen.length < 30) await new Promise((r) => setImmediate(r));
    q.shutdown();
    await Promise.all(workers);
    expect(new Set(seen)).toEqual(new Set(['a', 'b', 'c']));
  });

  it('adds after a delay, keeping the earliest pending time per item', async () => {
    const { q, clock } = queue();
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 500);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(49);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    q.addAfter('b', 0);
    expect(q.len()).toBe(1);
  });

  it('retries with the rate limiter and forget resets the backoff', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialFailureRateLimiter() });
    q.addRateLimited('a'); // 5 ms
    clock.advance(4);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
    q.addRateLimited('b');
    q.addRateLimited('b');
    expect(q.numRequeues('b')).toBe(2);
    q.forget('b');
    expect(q.numRequeues('b')).toBe(0);
  });

  it('shutdown abandons queued and delayed items and wakes idle workers', async () => {
    const { q, clock } = queue();
    const idle = q.get();
    q.shutdown();
    expect(await idle).toBeUndefined();
    const { q: q2, clock: c2 } = queue();
    q2.add('a');
    q2.addAfter('b', 10);
    q2.shutdown();
    expect(q2.len()).toBe(0);
    expect(c2.pendingTimers()).toBe(0);
    expect(await q2.get()).toBeUndefined();
    q2.add('c');
    expect(q2.len()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('shutdownWithDrain waits for in-flight items to finish', async () => {
    const { q } = queue();
    q.add('a');
    q.add('b');
    const a = await q.get();
    const drained = q.shutdownWithDrain(1000);
    expect(await peek(drained)).toBe('pending');
    expect(q.len()).toBe(0); // 'b' was never started: abandoned
    q.done(a!);
    expect(await drained).toBe(true);
  });

  it('shutdownWithDrain gives up after its bound', async () => {
    const { q, clock } = queue();
    q.add('a');
    await q.get();
    const drained = q.shutdownWithDrain(1000);
    clock.advance(999);
    expect(await peek(drained)).toBe('pending');
    clock.advance(1);
    expect(await drained).toBe(false);
    q.done('a'); // late done is harmless
  });

  it('get resolves undefined when its signal aborts', async () => {
    const { q } = queue();
    const ac = new AbortController();
    const p = q.get(ac.signal);
    ac.abort();
    expect(await p).toBeUndefined();
    q.add('a');
    expect(await q.get()).toBe('a'); // the aborted getter did not swallow it
  });

  it('reports depth, adds, queue and work durations, and unfinished work', async () => {
    const clock = new FakeClock();
    const depth: number[] = [];
    const queued: number[] = [];
    const worked: number[] = [];
    let adds = 0;
    const q = new WorkQueue<string>({
      clock,
      metrics: {
        depth: (n) => depth.push(n),
        added: () => adds++,
        queued: (s) => queued.push(s),
        worked: (s) => worked.push(s),
      },
    });
    q.add('a');
    q.add('a');
    clock.advance(2000);
    await q.get();
    clock.advance(3000);
    expect(q.unfinishedWork()).toEqual({ totalSeconds: 3, longestSeconds: 3 });
    q.done('a');
    expect(adds).toBe(2);
    expect(depth).toEqual([1, 0]);
    expect(queued).toEqual([2]);
    expect(worked).toEqual([3]);
    expect(q.unfinishedWork()).toEqual({ totalSeconds: 0, longestSeconds: 0 });
  });
});
