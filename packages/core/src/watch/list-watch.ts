// The list-then-watch state machine, as one async generator. States:
//   needList  -> list every page (a consistent read), emit the initial state,
//                or after a relist only the differences, then SYNCED;
//   watching  -> one watch request from the last resourceVersion, with
//                bookmarks and a randomized server-side timeout;
// and one place (the catch at the bottom) that sorts failures: 410 Gone ->
// relist at once; anything else -> back off (honouring Retry-After) and resume
// from where we left off. A server-side timeout or a stall resumes at once.

import {
  errorFromResponse,
  GoneError,
  keyString,
  objectKey,
  resourceName,
  resourcePath,
  TooManyRequestsError,
} from '../client/index.js';
import type { ApiResource, Client, KubeList, KubeObject, Status, TypeMeta } from '../client/index.js';
import { ExponentialBackoff } from './backoff.js';
import { systemClock } from './clock.js';
import { deepFreeze } from './freeze.js';
import { relistDiff } from './relist-diff.js';
import type { WatchEvent, WatchOptions } from './types.js';
import { watchRequest } from './watch-request.js';
import type { RawWatchEvent, WatchOutcome } from './watch-request.js';

const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const METADATA_ONE = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
/** A watch that ends this soon with no event counts as a failure (avoids a hot reconnect loop). */
const SHORT_WATCH_MS = 1000;

/**
 * The list-then-watch stream of one kind as an async iterable; ends only when
 * `signal` aborts. {@link watchList} is the same stream as an rxjs Observable.
 */
export async function* listWatch<T extends KubeObject>(
  client: Client,
  type: TypeMeta,
  opts: WatchOptions<T> & { signal: AbortSignal },
): AsyncGenerator<WatchEvent<T>> {
  const { signal } = opts;
  const clock = opts.clock ?? systemClock;
  const backoff = opts.backoff ?? new ExponentialBackoff({ clock });
  const stallTimeoutMs = opts.stallTimeoutMs ?? 90_000;
  const minTimeout = opts.minWatchTimeoutSeconds ?? 300;
  const selectors = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
  const prepare = (obj: T): T => {
    // List items carry no apiVersion/kind; consumers (owner references, logs) want them.
    if (obj.kind === undefined) Object.assign(obj, { apiVersion: type.apiVersion, kind: type.kind });
    return deepFreeze(opts.transform ? opts.transform(obj) : obj);
  };
  const known = new Map<string, T>();
  let resource: ApiResource | undefined;
  let rv: string | undefined;
  let needList = true;
  let listedOnce = false;
  let listing = false;

  while (!signal.aborted) {
    try {
      resource ??= await client.discovery.resourceFor(type, { signal });
      const ctx = { verb: 'watch' as const, resource: resourceName(resource) };
      if (needList) {
        listing = true;
        const { items, resourceVersion } = await listEverything<T>(
          client,
          resource,
          opts,
          stallTimeoutMs,
          prepare,
        );
        listing = false;
        const events = listedOnce ? relistDiff(known, items) : initialEvents(items);
        for (const ev of events) yield ev;
        known.clear();
        for (const [k, v] of items) known.set(k, v);
        rv = resourceVersion;
        needList = false;
        yield { type: 'SYNCED', resourceVersion, relist: listedOnce };
        listedOnce = true;
      }
      const started = clock.now();
      const stream = watchRequest<T>({
        transport: client.transport,
        path: resourcePath(resource, opts.namespace),
        query: {
          ...selectors,
          resourceVersion: rv,
          allowWatchBookmarks: true,
          timeoutSeconds: Math.floor(minTimeout * (1 + Math.random())),
        },
        ...(opts.metadataOnly ? { accept: METADATA_ONE } : {}),
        stallTimeoutMs,
        clock,
        signal,
      });
      let step: IteratorResult<RawWatchEvent<T>, WatchOutcome> | undefined;
      try {
        step = await stream.next();
        while (!step.done) {
          const raw = step.value;
          if (raw.type === 'ERROR') throw errorFromResponse(ctx, raw.object.code ?? 500, raw.object);
          rv = raw.object.metadata.resourceVersion ?? rv;
          if (raw.type === 'BOOKMARK') {
            if (rv !== undefined) yield { type: 'BOOKMARK', resourceVersion: rv };
          } else {
            const ev = applyEvent(known, raw.type, prepare(raw.object));
            if (ev) yield ev;
          }
          step = await stream.next();
        }
      } finally {
        // Leaving early (an ERROR event, a consumer that stops) must still close the
        // connection and its stall timer, which live in the request's own finally.
        if (step?.done !== true) await stream.return({ kind: 'closed', events: 0 });
      }
      const outcome = step.value;
      if (outcome.kind === 'stalled') {
        opts.onRestart?.('stalled');
      } else if (outcome.kind === 'http-error') {
        throw errorFromResponse(ctx, outcome.status, outcome.body, outcome.retryAfter);
      } else if (outcome.events === 0 && clock.now() - started < SHORT_WATCH_MS) {
        throw new Error('watch closed at once without any event');
      } else {
        opts.onRestart?.('server-timeout');
      }
    } catch (err) {
      if (signal.aborted) return;
      // A 410 while listing (an expired continue token) is backed off like any error,
      // so a relist can never turn into a relist storm.
      if (!listing && (err instanceof GoneError || isTooLargeResourceVersion(err))) {
        // Our resourceVersion is compacted away (or the server cannot serve it): the
        // only way back is a fresh consistent list, diffed against what we emitted.
        needList = true;
        opts.onRestart?.('gone');
        continue;
      }
      listing = false;
      opts.onError?.(err);
      opts.onRestart?.('error');
      const delay = backoff.next();
      const wait =
        err instanceof TooManyRequestsError ? Math.max(delay, err.retryAfterSeconds * 1000) : delay;
      try {
        await clock.sleep(wait, signal);
      } catch {
        return;
      }
    }
  }
}

function* initialEvents<T extends KubeObject>(items: ReadonlyMap<string, T>): Generator<WatchEvent<T>> {
  for (const object of items.values()) yield { type: 'ADDED', object };
}

/** Applies one watch event to `known` and says what consumers should see (nothing for a duplicate). */
function applyEvent<T extends KubeObject>(
  known: Map<string, T>,
  type: 'ADDED' | 'MODIFIED' | 'DELETED',
  object: T,
): WatchEvent<T> | undefined {
  const key = keyString(objectKey(object));
  const old = known.get(key);
  if (type === 'DELETED') {
    known.delete(key);
    return { type: 'DELETED', object };
  }
  if (old && old.metadata.resourceVersion === object.metadata.resourceVersion) return undefined;
  known.set(key, object);
  return old ? { type: 'MODIFIED', object, old } : { type: 'ADDED', object };
}

/** Lists every page as one consistent snapshot. */
async function listEverything<T extends KubeObject>(
  client: Client,
  resource: ApiResource,
  opts: WatchOptions<T> & { signal: AbortSignal },
  pageTimeoutMs: number,
  prepare: (obj: T) => T,
): Promise<{ items: Map<string, T>; resourceVersion: string }> {
  const items = new Map<string, T>();
  let resourceVersion: string | undefined;
  let next: string | undefined;
  const ctx = { verb: 'list' as const, resource: resourceName(resource) };
  do {
    const res = await client.transport.request({
      method: 'GET',
      path: resourcePath(resource, opts.namespace),
      query: {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.pageSize ?? 500,
        continue: next,
      },
      ...(opts.metadataOnly ? { accept: METADATA_LIST } : {}),
      signal: AbortSignal.any([opts.signal, AbortSignal.timeout(pageTimeoutMs)]),
    });
    if (res.status !== 200) throw errorFromResponse(ctx, res.status, res.body, res.header('retry-after'));
    const page = res.body as KubeList<T>;
    resourceVersion ??= page.metadata.resourceVersion;
    for (const item of page.items) {
      const obj = prepare(item);
      items.set(keyString(objectKey(obj)), obj);
    }
    next = page.metadata.continue || undefined;
  } while (next !== undefined);
  if (resourceVersion === undefined) throw new Error('list answered without a resourceVersion');
  return { items, resourceVersion };
}

/** The API server's "Too large resource version" answer: it cannot serve our RV yet (e.g. right after a restart). */
function isTooLargeResourceVersion(err: unknown): boolean {
  const status = (err as { status?: Status } | undefined)?.status;
  return status?.details?.causes?.some((c) => c.reason === 'ResourceVersionTooLarge') ?? false;
}
