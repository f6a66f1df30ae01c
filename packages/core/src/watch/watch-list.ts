// The list-then-watch stream as an rxjs Observable: cold (each subscription
// runs its own list and watch), and unsubscribing aborts the open request.

import { Observable } from 'rxjs';
import type { Client, KubeObject, TypeMeta } from '../client/index.js';
import { listWatch } from './list-watch.js';
import type { WatchEvent, WatchOptions } from './types.js';

/**
 * A list-then-watch stream of one kind: the initial list as ADDED events and
 * a SYNCED marker, then every change, surviving timeouts, dropped connections,
 * stalls and 410 Gone (after which only the real differences are emitted).
 * The Observable never errors on API failures (it backs off and retries;
 * see `onError`); it completes only when unsubscribed.
 *
 * @example
 * ```ts
 * const sub = watchList<ConfigMap>(client, { apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'default' })
 *   .subscribe((ev) => console.log(ev.type));
 * // later
 * sub.unsubscribe();
 * ```
 */
export function watchList<T extends KubeObject = KubeObject>(
  client: Client,
  type: TypeMeta,
  opts: WatchOptions<T> = {},
): Observable<WatchEvent<T>> {
  return new Observable<WatchEvent<T>>((subscriber) => {
    const abort = new AbortController();
    void (async () => {
      try {
        for await (const ev of listWatch<T>(client, type, { ...opts, signal: abort.signal })) {
          if (subscriber.closed) break;
          subscriber.next(ev);
        }
        subscriber.complete();
      } catch (err) {
        // Only a bug (or a throwing transform) gets here; API failures are retried inside.
        if (!abort.signal.aborted) subscriber.error(err);
      }
    })();
    return () => abort.abort();
  });
}
