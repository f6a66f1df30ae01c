// The events a list-then-watch stream emits and the options that shape it.

import type { KubeObject } from '../client/index.js';
import type { Clock } from './clock.js';

/**
 * One event of a list-then-watch stream.
 *
 * - `ADDED` / `MODIFIED` / `DELETED`: a change to one object, in
 *   resourceVersion order per object. `DELETED` carries the last state seen.
 *   After a relist (410 Gone, or a restart that could not resume) only the
 *   real differences from what was emitted before are sent, so consumers never
 *   see the world replayed.
 * - `SYNCED`: every object of the (re)list has been emitted; consumers now
 *   hold the complete state as of `resourceVersion`. Sent after the first list
 *   (`relist: false`) and after every relist (`relist: true`).
 * - `BOOKMARK`: the stream is healthy and current up to `resourceVersion`.
 */
export type WatchEvent<T extends KubeObject> =
  | { type: 'ADDED'; object: T }
  | { type: 'MODIFIED'; object: T; old?: T }
  | { type: 'DELETED'; object: T }
  | { type: 'SYNCED'; resourceVersion: string; relist: boolean }
  | { type: 'BOOKMARK'; resourceVersion: string };

/** Why the stream restarted or relisted; reported to `onRestart` for logs and metrics. */
export type WatchRestartReason = 'gone' | 'stalled' | 'closed' | 'server-timeout' | 'error';

/** What a backoff policy must do: give the next delay, and forget failures. */
export interface BackoffPolicy {
  /** The delay in ms before the next attempt. */
  next(): number;
  /** Forget past failures (called after a healthy period). */
  reset(): void;
}

/** Options of {@link watchList}. */
export interface WatchOptions<T extends KubeObject = KubeObject> {
  /** Namespace to watch; unset watches all namespaces (or a cluster-scoped kind). */
  namespace?: string;
  /** Label selector, e.g. `"app=web"`. */
  labelSelector?: string;
  /** Field selector, e.g. `"metadata.name=x"`. */
  fieldSelector?: string;
  /** Fetch and watch `PartialObjectMetadata` only (metadata, no spec/status). Default false. */
  metadataOnly?: boolean;
  /** Page size of the (re)list. Default 500. */
  pageSize?: number;
  /**
   * Applied to every object before it is emitted (and frozen). Use it to drop
   * fields you never read; the cache layer uses it to drop managedFields.
   */
  transform?: (obj: T) => T;
  /**
   * A watch with neither an event nor a bookmark for this long, in ms, is
   * considered stalled (e.g. a dead connection that never closed) and is
   * restarted from the last resourceVersion. Default 90 000 (the API server
   * sends bookmarks about once a minute).
   */
  stallTimeoutMs?: number;
  /**
   * Server-side timeout of one watch request, in seconds; each request picks a
   * random value in [min, 2 * min) so that many clients do not reconnect in
   * step. Default 300.
   */
  minWatchTimeoutSeconds?: number;
  /** Backoff between failed attempts. Default: 800 ms doubling to 30 s with jitter, reset after 2 min healthy. */
  backoff?: BackoffPolicy;
  /** Time source, for tests. Default: the real clock. */
  clock?: Clock;
  /** Called on every error that made the stream back off (the stream itself keeps going). */
  onError?: (err: unknown) => void;
  /** Called when the watch restarts or relists, with the reason. */
  onRestart?: (reason: WatchRestartReason) => void;
}
