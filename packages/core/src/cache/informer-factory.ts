// Shared informers: one watch per kind and selection, however many
// controllers ask for it. Informers asked for after `start()` start at once.

import type { Client, KubeObject, TypeMeta } from '../client/index.js';
import { Informer } from './informer.js';
import type { InformerOptions } from './informer.js';

/** What identifies a shared informer besides its kind. */
export interface InformerSelection {
  /** Namespace; unset means all namespaces (or the factory's default namespace). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Cache PartialObjectMetadata only. */
  metadataOnly?: boolean;
}

/** Options of an {@link InformerFactory}; they apply to every informer it makes. */
export interface InformerFactoryOptions extends Pick<
  InformerOptions<KubeObject>,
  | 'resyncPeriodMs'
  | 'stallTimeoutMs'
  | 'minWatchTimeoutSeconds'
  | 'keepManagedFields'
  | 'pageSize'
  | 'onError'
  | 'onRestart'
  | 'onHandlerError'
> {
  /** Namespace of informers that name none (an operator that watches one namespace). Default: all namespaces. */
  namespace?: string;
  /**
   * Called with every failed list or watch, with the kind and selection of
   * the informer that failed (the informer backs off and tries again). Where
   * `onError` says what failed, this also says which informer.
   */
  onWatchError?: (err: unknown, type: TypeMeta, selection: InformerSelection) => void;
}

/**
 * Hands out shared informers keyed by (kind, namespace, selectors).
 *
 * @example
 * ```ts
 * const factory = new InformerFactory(client);
 * const pods = factory.informerFor<Pod>({ apiVersion: 'v1', kind: 'Pod' });
 * pods.addIndexer('owner', byOwnerUid);
 * factory.start();
 * await factory.waitForSync();
 * ```
 */
export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(
    /** The client the informers watch through. */
    readonly client: Client,
    private readonly opts: InformerFactoryOptions = {},
  ) {}

  /** The shared informer of a kind and selection, created on first ask. */
  informerFor<T extends KubeObject = KubeObject>(
    type: TypeMeta,
    selection: InformerSelection = {},
  ): Informer<T> {
    const sel: InformerSelection = { ...selection, namespace: selection.namespace ?? this.opts.namespace };
    const id = JSON.stringify([
      type.apiVersion,
      type.kind,
      sel.namespace,
      sel.labelSelector,
      sel.fieldSelector,
      !!sel.metadataOnly,
    ]);
    let informer = this.informers.get(id);
    if (!informer) {
      informer = new Informer<KubeObject>(
        this.client,
        { apiVersion: type.apiVersion, kind: type.kind },
        {
          ...this.opts,
          ...definedOnly(sel),
          onError: (err: unknown) => {
            this.opts.onError?.(err);
            this.opts.onWatchError?.(err, type, sel);
          },
        },
      );
      this.informers.set(id, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts every informer made so far, and every one made later. */
  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  /** Waits until every started informer has synced. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }

  /** Stops every informer. */
  stop(): void {
    this.started = false;
    for (const informer of this.informers.values()) informer.stop();
    this.informers.clear();
  }
}

function definedOnly(sel: InformerSelection): InformerSelection {
  return Object.fromEntries(Object.entries(sel).filter(([, v]) => v !== undefined));
}
