import { FakeClock } from './clock.js';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './rate-limiter.js';

describe('ItemExponentialFailureRateLimiter', () => {
  it('starts at 5 ms and doubles per failure of the same item', () => {
    const l = new ItemExponentialFailureRateLimiter<string>();
    expect([1, 2, 3, 4, 5].map(() => l.when('a'))).toEqual([5, 10, 20, 40, 80]);
    expect(l.numRequeues('a')).toBe(5);
  });

  it('caps at 1000 s and never overflows', () => {
    const l = new ItemExponentialFailureRateLimiter<string>();
    const delays = Array.from({ length: 2000 }, () => l.when('a'));
    expect(delays[17]).toBe(5 * 2 ** 17); // 655.36 s, still under the cap
    expect(delays[18]).toBe(1_000_000);
    expect(delays.at(-1)).toBe(1_000_000);
  });

  it('keeps items independent and forget resets one', () => {
    const l = new ItemExponentialFailureRateLimiter<string>({ baseDelayMs: 1, maxDelayMs: 1000 });
    l.when('a');
    l.when('a');
    expect(l.when('b')).toBe(1);
    l.forget('a');
    expect(l.numRequeues('a')).toBe(0);
    expect(l.when('a')).toBe(1);
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst of 100 through, then spaces items 100 ms apart (10/s)', () => {
    const clock = new FakeClock();
    const l = new BucketRateLimiter<string>({ clock });
    for (let i = 0; i < 100; i++) expect(l.when(`i${i}`)).toBe(0);
    expect(l.when('x')).toBeCloseTo(100);
    expect(l.when('y')).toBeCloseTo(200);
    expect(l.when('z')).toBeCloseTo(300);
  });

  it('refills at 10 tokens per second up to the burst', () => {
    const clock = new FakeClock();
    const l = new BucketRateLimiter<string>({ clock });
    for (let i = 0; i < 100; i++) l.when('a');
    clock.advance(1000); // 10 tokens back
    for (let i = 0; i < 10; i++) expect(l.when('a')).toBe(0);
    expect(l.when('a')).toBeCloseTo(100);
    clock.advance(3_600_000);
    for (let i = 0; i < 100; i++) expect(l.when('a')).toBe(0);
    expect(l.when('a')).toBeGreaterThan(0);
  });

  it('has no per-item state', () => {
    const l = new BucketRateLimiter<string>({ clock: new FakeClock() });
    l.when('a');
    expect(l.numRequeues('a')).toBe(0);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('takes the longer of per-item backoff and the overall bucket', () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter<string>(clock);
    expect(l.when('a')).toBe(5);
    expect(l.when('a')).toBe(10);
    for (let i = 0; i < 98; i++) l.when(`other${i}`); // bucket now empty
    expect(l.when('fresh')).toBeCloseTo(100);
    expect(l.numRequeues('a')).toBe(2);
    l.forget('a');
    expect(l.numRequeues('a')).toBe(0);
  });

  it('MaxOf refuses to be empty', () => {
    expect(() => new MaxOfRateLimiter<string>()).toThrow(/at least one/);
  });
});
