// An informer: a watch stream feeding a store, plus handlers told about each
// change once the store reflects it. One writer (the stream), many readers.

import type { Subscription } from 'rxjs';
import type { Client, KubeObject, TypeMeta } from '../client/index.js';
import { keyString, objectKey } from '../client/index.js';
import { watchList } from '../watch/index.js';
import type { WatchEvent, WatchOptions } from '../watch/index.js';
import { Store } from './store.js';
import type { IndexFunc, StoreReader } from './store.js';

/** Callbacks for changes; each is called after the store reflects the change. */
export interface InformerHandler<T extends KubeObject> {
  /** A new object; `inInitialList` is true for objects of the first list (and the replay to late handlers). */
  onAdd?(obj: T, inInitialList: boolean): void;
  /** A changed object. On a resync tick `oldObj === newObj`. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** A deleted object, in the last state seen (for deletes missed while disconnected: the last state cached). */
  onDelete?(obj: T): void;
}

/** Options of an {@link Informer}. */
export interface InformerOptions<T extends KubeObject> extends WatchOptions<T> {
  /** Extra indexes of the store, by name (the `namespace` index is built in). */
  indexers?: Record<string, IndexFunc<T>>;
  /** Every this many ms, handlers get `onUpdate(obj, obj)` for every cached object. Default: never. */
  resyncPeriodMs?: number;
  /** Keep `metadata.managedFields` in the cache (dropped by default: large and rarely read). Default false. */
  keepManagedFields?: boolean;
  /** Called when a handler throws; the informer goes on. Default: console.error. */
  onHandlerError?: (err: unknown) => void;
}

/** Drops `metadata.managedFields`; the default transform of informers. */
export function dropManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata.managedFields !== undefined) delete obj.metadata.managedFields;
  return obj;
}

/**
 * Keeps a store in sync with one kind (optionally one namespace / selector)
 * and tells handlers about changes.
 *
 * @example
 * ```ts
 * const informer = new Informer<Pod>(client, { apiVersion: 'v1', kind: 'Pod' }, { namespace: 'default' });
 * informer.addHandler({ onAdd: (pod) => console.log('added', pod.metadata.name) });
 * informer.start();
 * await informer.synced;
 * ```
 */
export class Informer<T extends KubeObject> {
  /** The cached objects (deep-frozen). */
  readonly store: StoreReader<T>;
  /** Resolves once the first list is in the store; rejects if the informer is stopped first. */
  readonly synced: Promise<void>;
  private readonly writable: Store<T>;
  private readonly handlers = new Set<InformerHandler<T>>();
  private readonly indexFuncs = new Map<string, IndexFunc<T>>();
  private subscription: Subscription | undefined;
  private cancelResync: (() => void) | undefined;
  private isSynced = false;
  private stopped = false;
  private lastResourceVersion: string | undefined;
  private resolveSynced!: () => void;
  private rejectSynced!: (err: Error) => void;

  constructor(
    private readonly client: Client,
    /** The kind this informer watches. */
    readonly type: TypeMeta,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.writable = new Store<T>();
    for (const [name, fn] of Object.entries(opts.indexers ?? {})) this.addIndexer(name, fn);
    this.store = this.writable;
    this.synced = new Promise<void>((resolve, reject) => {
      this.resolveSynced = resolve;
      this.rejectSynced = reject;
    });
    this.synced.catch(() => {}); // a stop before sync must not be an unhandled rejection
  }

  /** True once the first list is in the store. */
  hasSynced(): boolean {
    return this.isSynced;
  }

  /** The resourceVersion the cache is current up to (from the last event, bookmark or list). */
  get resourceVersion(): string | undefined {
    return this.lastResourceVersion;
  }

  /**
   * Adds an index. Adding the same name twice with the same function is a
   * no-op (shared informers get asked by every controller); with a different
   * function it throws.
   */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    const existing = this.indexFuncs.get(name);
    if (existing === fn) return;
    if (existing)
      throw new Error(`index ${name} already exists on the ${this.type.kind} informer with another function`);
    this.indexFuncs.set(name, fn);
    this.writable.addIndexer(name, fn);
  }

  /**
   * Registers handlers. When the informer has already synced, `onAdd` is
   * called at once for every cached object. Returns the unsubscribe function.
   */
  addHandler(handler: InformerHandler<T>): () => void {
    this.handlers.add(handler);
    if (this.isSynced) for (const obj of this.writable.list()) this.call(() => handler.onAdd?.(obj, true));
    return () => {
      this.handlers.delete(handler);
    };
  }

  /** Waits for the first sync; rejects when `signal` aborts or the informer stops first. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.isSynced) return;
    if (!signal) return this.synced;
    signal.throwIfAborted();
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        this.synced,
        new Promise<never>((_, reject) => {
          onAbort = () => reject(signal.reason as Error);
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** Starts the list and watch; idempotent. An informer cannot start again after `stop`. */
  start(): void {
    if (this.stopped) throw new Error(`the ${this.type.kind} informer was stopped; create a new one`);
    if (this.subscription) return;
    const transform = this.opts.keepManagedFields
      ? this.opts.transform
      : (obj: T) => dropManagedFields(this.opts.transform ? this.opts.transform(obj) : obj);
    this.subscription = watchList<T>(this.client, this.type, {
      ...this.opts,
      ...(transform ? { transform } : {}),
    }).subscribe({
      next: (ev) => this.apply(ev),
      error: (err: unknown) => this.opts.onHandlerError?.(err),
    });
    if (this.opts.resyncPeriodMs !== undefined && this.opts.resyncPeriodMs > 0)
      this.scheduleResync(this.opts.resyncPeriodMs);
  }

  /** Stops watching. The store keeps its last content. */
  stop(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
    this.cancelResync?.();
    if (!this.isSynced)
      this.rejectSynced(new Error(`the ${this.type.kind} informer stopped before it synced`));
  }

  private apply(ev: WatchEvent<T>): void {
    switch (ev.type) {
      case 'ADDED': {
        const old = this.writable.upsert(ev.object);
        this.track(ev.object);
        for (const h of this.handlers) {
          this.call(() => (old ? h.onUpdate?.(old, ev.object) : h.onAdd?.(ev.object, !this.isSynced)));
        }
        return;
      }
      case 'MODIFIED': {
        const old = this.writable.upsert(ev.object) ?? ev.old ?? ev.object;
        this.track(ev.object);
        for (const h of this.handlers) this.call(() => h.onUpdate?.(old, ev.object));
        return;
      }
      case 'DELETED': {
        this.writable.remove(keyString(objectKey(ev.object)));
        this.track(ev.object);
        for (const h of this.handlers) this.call(() => h.onDelete?.(ev.object));
        return;
      }
      case 'BOOKMARK':
      case 'SYNCED':
        this.lastResourceVersion = ev.resourceVersion;
        if (ev.type === 'SYNCED' && !this.isSynced) {
          this.isSynced = true;
          this.resolveSynced();
        }
    }
  }

  private track(obj: T): void {
    this.lastResourceVersion = obj.metadata.resourceVersion ?? this.lastResourceVersion;
  }

  private scheduleResync(periodMs: number): void {
    const timer = setInterval(() => {
      if (!this.isSynced) return;
      for (const obj of this.writable.list())
        for (const h of this.handlers) this.call(() => h.onUpdate?.(obj, obj));
    }, periodMs);
    timer.unref();
    this.cancelResync = () => clearInterval(timer);
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      (this.opts.onHandlerError ?? console.error)(err);
    }
  }
}
