/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** Give up after this many ms. Default 30 000. */
  readonly timeout?: number;
  /** Wait this many ms between attempts. Default 200. */
  readonly interval?: number;
  /** Prefix of the error message on timeout, saying what was awaited. */
  readonly message?: string;
  readonly signal?: AbortSignal;
}

/** Thrown by {@link eventually} on timeout; carries the last error the check threw. */
export class EventuallyTimeoutError extends Error {
  readonly reason = 'EventuallyTimeout';
  constructor(
    message: string,
    readonly lastError: unknown,
    readonly attempts: number,
  ) {
    super(message, { cause: lastError });
    this.name = 'EventuallyTimeoutError';
  }
}

/**
 * Retries `check` until it returns without throwing, and returns its result.
 * The check states what it expects by throwing (a failed `expect`, say); on
 * timeout the error reports the last thing it observed, never a bare
 * "timed out".
 *
 * @example
 * const pod = await eventually(async () => {
 *   const p = await core.readNamespacedPod({ name, namespace });
 *   expect(p.status?.phase).toBe('Running');
 *   return p;
 * }, { timeout: 60_000, message: 'pod running' });
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: EventuallyOptions = {},
): Promise<T> {
  const timeout = options.timeout ?? 30_000;
  const interval = options.interval ?? 200;
  const deadline = Date.now() + timeout;
  let attempts = 0;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    attempts++;
    try {
      return await check();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() + interval > deadline) break;
    await new Promise((r) => setTimeout(r, interval));
  }
  const last = lastError instanceof Error ? lastError.message : String(lastError);
  throw new EventuallyTimeoutError(
    `${options.message ?? 'condition'} not met after ${timeout} ms (${attempts} attempts); last observed:\n${last}`,
    lastError,
    attempts,
  );
}
