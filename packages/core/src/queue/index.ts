/**
 * queue: the work queue between events and reconcilers.
 *
 * Handlers (controller layer) turn watch events into object keys and `add`
 * them here; workers `get` a key, reconcile it and call `done`. The queue
 * deduplicates keys, never hands one key to two workers at once, delays
 * retries through a pluggable {@link RateLimiter}, and takes an injected
 * {@link Clock} so its behaviour is tested without sleeping. It depends on
 * nothing else in the SDK and is usable alone.
 */
export type { Clock } from './clock.js';
export { FakeClock, realClock } from './clock.js';
export type { RateLimiter, ItemExponentialBackoffOptions, BucketOptions } from './rate-limiter.js';
export {
  ItemExponentialFailureRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './rate-limiter.js';
export type { WorkQueueMetrics, WorkQueueOptions, UnfinishedWork } from './work-queue.js';
export { WorkQueue } from './work-queue.js';
