// One watch request: open the stream at a resourceVersion, parse its lines
// into events, and end with an outcome that says why it ended. A watch that
// receives nothing (no event, no bookmark) for `stallTimeoutMs` is aborted:
// a connection cut on the network side may never report an error.

import type { KubeObject, Status, Transport } from '../client/index.js';
import type { Clock } from './clock.js';

/** One line of the watch protocol. */
export type RawWatchEvent<T extends KubeObject> =
  { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T } | { type: 'ERROR'; object: Status };

/** How a watch request ended. */
export type WatchOutcome =
  | { kind: 'closed'; events: number }
  | { kind: 'stalled' }
  | { kind: 'http-error'; status: number; body: unknown; retryAfter: string | undefined };

/** Parameters of one watch request. */
export interface WatchRequest {
  transport: Transport;
  path: string;
  query: Record<string, string | number | boolean | undefined>;
  accept?: string;
  stallTimeoutMs: number;
  clock: Clock;
  signal: AbortSignal;
}

/**
 * Streams the events of one watch request, then returns its outcome.
 * Rejects on a network error (and with the signal's reason when aborted).
 */
export async function* watchRequest<T extends KubeObject>(
  req: WatchRequest,
): AsyncGenerator<RawWatchEvent<T>, WatchOutcome> {
  const stall = new AbortController();
  const signal = AbortSignal.any([req.signal, stall.signal]);
  let lastActivity = req.clock.now();
  let cancelTimer = (): void => {};
  const arm = (ms: number): void => {
    cancelTimer = req.clock.setTimer(() => {
      const idle = req.clock.now() - lastActivity;
      if (idle >= req.stallTimeoutMs)
        stall.abort(new Error(`watch stalled: nothing received for ${Math.round(idle)} ms`));
      else arm(req.stallTimeoutMs - idle);
    }, ms);
  };
  arm(req.stallTimeoutMs);
  let close = (): void => {};
  try {
    const res = await req.transport.stream({
      method: 'GET',
      path: req.path,
      query: { ...req.query, watch: 1 },
      signal,
      ...(req.accept ? { accept: req.accept } : {}),
    });
    close = () => res.close();
    if (res.status !== 200) {
      return {
        kind: 'http-error',
        status: res.status,
        body: res.body,
        retryAfter: res.header('retry-after'),
      };
    }
    lastActivity = req.clock.now();
    let events = 0;
    for await (const line of res.lines) {
      lastActivity = req.clock.now();
      events++;
      yield JSON.parse(line) as RawWatchEvent<T>;
      // Time spent by a slow consumer is not the server's silence.
      lastActivity = req.clock.now();
    }
    return { kind: 'closed', events };
  } catch (err) {
    if (stall.signal.aborted && !req.signal.aborted) return { kind: 'stalled' };
    throw err;
  } finally {
    cancelTimer();
    close();
  }
}
