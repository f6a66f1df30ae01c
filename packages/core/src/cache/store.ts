// The store: one writer (the informer feeding it from a watch stream), many
// readers (reconcilers). Objects are deep-frozen on the way in, so a reader
// that mutates what it got throws instead of corrupting the cache; readers
// clone (`structuredClone`) before changing anything.

import { keyString, objectKey } from '../client/index.js';
import type { KubeObject, ObjectKey } from '../client/index.js';
import { deepFreeze } from '../watch/index.js';
import { parseLabelSelector } from './label-selector.js';

/** Computes the index values of an object, e.g. its owners' UIDs. */
export type IndexFunc<T extends KubeObject> = (obj: T) => readonly string[];

/** Options of {@link StoreReader.list}. */
export interface StoreListOptions {
  /** Only objects in this namespace. */
  namespace?: string;
  /** Only objects whose labels match, e.g. `"app=web"`. */
  labelSelector?: string;
}

/** The read side of a store; every object returned is deep-frozen. */
export interface StoreReader<T extends KubeObject> {
  /** One object by key (`{ namespace, name }` or `"ns/name"`). */
  get(key: ObjectKey | string): T | undefined;
  /** Objects, optionally filtered; in no particular order. */
  list(opts?: StoreListOptions): T[];
  /** Objects whose index `index` contains `value`. */
  byIndex(index: string, value: string): T[];
  /** Keys of every object, as `"ns/name"` / `"name"`. */
  keys(): string[];
  /** Number of objects. */
  readonly size: number;
}

/** The built-in index of every store: by namespace. */
export const NAMESPACE_INDEX = 'namespace';

/** Index function: the UIDs of an object's owners (use with `byIndex(name, ownerUid)`). */
export const byOwnerUid: IndexFunc<KubeObject> = (obj) =>
  (obj.metadata.ownerReferences ?? []).map((o) => o.uid);

/** Index function factory: the value of one label, when present. */
export function byLabel(label: string): IndexFunc<KubeObject> {
  return (obj) => {
    const v = obj.metadata.labels?.[label];
    return v === undefined ? [] : [v];
  };
}

/**
 * An indexed in-memory store of objects keyed by `"ns/name"`.
 *
 * @example
 * ```ts
 * const store = new Store<Pod>({ indexers: { owner: byOwnerUid } });
 * store.byIndex('owner', replicaSet.metadata.uid!);
 * ```
 */
export class Store<T extends KubeObject> implements StoreReader<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name -> index value -> keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(opts: { indexers?: Record<string, IndexFunc<T>> } = {}) {
    this.addIndexer(NAMESPACE_INDEX, (obj) => [obj.metadata.namespace ?? '']);
    for (const [name, fn] of Object.entries(opts.indexers ?? {})) this.addIndexer(name, fn);
  }

  get size(): number {
    return this.objects.size;
  }

  /** Adds an index; existing objects are indexed at once. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) throw new Error(`index ${name} already exists`);
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.objects) for (const v of fn(obj)) addTo(index, v, key);
  }

  get(key: ObjectKey | string): T | undefined {
    return this.objects.get(typeof key === 'string' ? key : keyString(key));
  }

  list(opts: StoreListOptions = {}): T[] {
    const candidates =
      opts.namespace === undefined
        ? [...this.objects.values()]
        : this.byIndex(NAMESPACE_INDEX, opts.namespace);
    if (opts.labelSelector === undefined || opts.labelSelector === '') return candidates;
    const selector = parseLabelSelector(opts.labelSelector);
    return candidates.filter((o) => selector.matches(o.metadata.labels));
  }

  byIndex(index: string, value: string): T[] {
    const idx = this.indices.get(index);
    if (!idx) throw new Error(`no index named ${index}`);
    const out: T[] = [];
    for (const key of idx.get(value) ?? []) {
      const obj = this.objects.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  /** Inserts or replaces an object (freezing it); returns the previous one. */
  upsert(obj: T): T | undefined {
    const key = keyString(objectKey(obj));
    const old = this.objects.get(key);
    if (old) this.unindex(key, old);
    deepFreeze(obj);
    this.objects.set(key, obj);
    for (const [name, fn] of this.indexers) for (const v of fn(obj)) addTo(this.indices.get(name)!, v, key);
    return old;
  }

  /** Removes an object by key; returns it. */
  remove(key: ObjectKey | string): T | undefined {
    const k = typeof key === 'string' ? key : keyString(key);
    const old = this.objects.get(k);
    if (old) {
      this.unindex(k, old);
      this.objects.delete(k);
    }
    return old;
  }

  /** Replaces the whole content at once (used after a relist). */
  replace(objects: Iterable<T>): void {
    this.objects.clear();
    for (const idx of this.indices.values()) idx.clear();
    for (const obj of objects) this.upsert(obj);
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const keys = idx.get(v);
        keys?.delete(key);
        if (keys?.size === 0) idx.delete(v);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let keys = index.get(value);
  if (!keys) index.set(value, (keys = new Set()));
  keys.add(key);
}
