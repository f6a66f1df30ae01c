import { ExponentialBackoff } from './backoff.js';
import type { Clock } from './clock.js';

function manualClock(): Clock & { t: number } {
  const c = { t: 0, now: () => c.t, sleep: () => Promise.resolve(), setTimer: () => () => {} };
  return c;
}

describe('ExponentialBackoff', () => {
  it('doubles from 800 ms to a 30 s cap without jitter', () => {
    const clock = manualClock();
    const b = new ExponentialBackoff({ clock, random: () => 0 });
    const delays = Array.from({ length: 8 }, () => {
      clock.t += 1;
      return b.next();
    });
    expect(delays).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  });

  it('adds up to 100 % jitter', () => {
    const b = new ExponentialBackoff({ clock: manualClock(), random: () => 0.5 });
    expect(b.next()).toBe(1200);
  });

  it('starts over after two minutes without a failure', () => {
    const clock = manualClock();
    const b = new ExponentialBackoff({ clock, random: () => 0 });
    b.next();
    b.next();
    clock.t += 120_000;
    expect(b.next()).toBe(800);
  });
});
