import { eventually, EventuallyTimeoutError } from './eventually.js';

describe('eventually', () => {
  it('returns the first result that does not throw', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls++;
        if (calls < 3) throw new Error(`not yet (${calls})`);
        return 'ready';
      },
      { interval: 1 },
    );
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('reports the last observed error on timeout', async () => {
    let calls = 0;
    const error = await eventually(
      () => {
        calls++;
        throw new Error(`observed ${calls}`);
      },
      { timeout: 50, interval: 5, message: 'widget ready' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventuallyTimeoutError);
    expect((error as Error).message).toMatch(/^widget ready not met after 50 ms/);
    expect((error as Error).message).toContain(`observed ${calls}`);
  });

  it('stops at once when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(eventually(() => 1, { signal: controller.signal })).rejects.toThrow(/aborted/);
  });
});
