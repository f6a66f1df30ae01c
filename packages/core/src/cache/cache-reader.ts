// The reader reconcilers use: get and list served from shared informers
// (started and synced on first use), or from the live API when asked.

import { NotFoundError, resourceName } from '../client/index.js';
import type { KubeObject, ObjectKey, TypeMeta } from '../client/index.js';
import type { InformerFactory } from './informer-factory.js';

/** Options of {@link CacheReader.get}. */
export interface CacheGetOptions {
  /** Read from the API server instead of the cache (a quorum read). Default false. */
  live?: boolean;
  /** Cancels the wait for the cache to sync, or the live call. */
  signal?: AbortSignal;
}

/** Options of {@link CacheReader.list}. */
export interface CacheListOptions extends CacheGetOptions {
  namespace?: string;
  labelSelector?: string;
}

/**
 * Reads objects from the cache. Objects from the cache are deep-frozen:
 * `structuredClone` one before changing it.
 *
 * @example
 * ```ts
 * const reader = new CacheReader(factory);
 * const cm = await reader.get<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'ns', name: 'x' });
 * ```
 */
export class CacheReader {
  constructor(private readonly factory: InformerFactory) {}

  /**
   * One object.
   *
   * @throws NotFoundError when it is not in the cache (or not on the server, when `live`).
   */
  async get<T extends KubeObject = KubeObject>(
    type: TypeMeta,
    key: ObjectKey,
    opts: CacheGetOptions = {},
  ): Promise<T> {
    const client = this.factory.client;
    if (opts.live) return client.resource<T>(type).get(key, opts.signal ? { signal: opts.signal } : {});
    const informer = await this.synced<T>(type, opts.signal);
    const obj = informer.store.get(key);
    if (obj) return obj;
    const resource = await client.resource(type).resource(opts.signal ? { signal: opts.signal } : {});
    throw new NotFoundError({
      verb: 'get',
      resource: resourceName(resource),
      key,
      code: 404,
      reason: 'NotFound',
      message: 'not found in the cache',
    });
  }

  /** Objects of a kind, optionally in one namespace and matching a label selector. */
  async list<T extends KubeObject = KubeObject>(type: TypeMeta, opts: CacheListOptions = {}): Promise<T[]> {
    if (opts.live) {
      const list = await this.factory.client.resource<T>(type).listAll({
        ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
        ...(opts.labelSelector !== undefined ? { labelSelector: opts.labelSelector } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      return list.items;
    }
    const informer = await this.synced<T>(type, opts.signal);
    return informer.store.list({
      ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      ...(opts.labelSelector !== undefined ? { labelSelector: opts.labelSelector } : {}),
    });
  }

  private async synced<T extends KubeObject>(type: TypeMeta, signal?: AbortSignal) {
    const informer = this.factory.informerFor<T>(type);
    informer.start();
    await informer.waitForSync(signal);
    return informer;
  }
}
