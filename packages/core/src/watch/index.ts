// The watch layer: a list-then-watch stream per resource.
//
// `watchList(client, { apiVersion, kind }, opts)` lists in pages, emits the
// objects and a SYNCED marker, then watches from the list's resourceVersion
// with bookmarks on. It keeps the last resourceVersion and resumes from it
// after a server-side timeout or a dropped connection; relists on 410 Gone
// and emits only what really changed; backs off with jitter on errors
// (800 ms doubling to 30 s, reset after 2 min healthy); and restarts a watch
// that has been silent for longer than `stallTimeoutMs`, so it never stalls
// silently. `listWatch` is the same machine as an async iterable.
//
// Built on the client layer's Transport and discovery; the cache layer feeds
// its stores from this stream. Usable alone.

export { watchList } from './watch-list.js';
export { listWatch } from './list-watch.js';
export { relistDiff } from './relist-diff.js';
export { ExponentialBackoff } from './backoff.js';
export type { ExponentialBackoffOptions } from './backoff.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { deepFreeze } from './freeze.js';
export type { WatchEvent, WatchOptions, WatchRestartReason, BackoffPolicy } from './types.js';
