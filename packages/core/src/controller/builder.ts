/**
 * The one way to wire a controller (decorators produce a builder call).
 * Misuse is recorded as it happens and reported by `build()`, all at once,
 * each with how to fix it (controller-runtime's `pkg/builder`).
 */
import type { Client, KubeObject, TypeMeta } from '../client/index.js';
import type { InformerSelection } from '../cache/index.js';
import type { Logger } from '../logging/index.js';
import type { ControllerMetricSet } from '../metrics/index.js';
import type { Clock, RateLimiter } from '../queue/index.js';
import type { EventSourceInformer, ReconcileFunction, WatchSource } from './reconcile-loop.js';
import { ReconcileLoop } from './reconcile-loop.js';
import type { MapFunction } from './handlers.js';
import { enqueueControllerOwner, enqueueMapped, enqueueObject } from './handlers.js';
import type { Predicate } from './predicates.js';

/** What a builder needs from its manager; `Manager` implements it. */
export interface ControllerHost {
  readonly client: Client;
  /** The shared informer of a kind and selection. */
  informerFor<T extends KubeObject>(type: TypeMeta, selection?: InformerSelection): EventSourceInformer<T>;
  /** Takes ownership of a built controller: starts and stops it. */
  add(controller: ReconcileLoop): void;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** The metrics of one controller (reconcile totals, durations, queue); none when absent. */
  metricsFor?(controllerName: string): ControllerMetricSet;
}

/** Options of `for`, `owns` and `watches`. */
export interface WatchOptions<T extends KubeObject> {
  /** Only events passing every predicate enqueue anything. */
  predicates?: Predicate<T>[];
  /** Watch this label selector only (server-side filter). */
  labelSelector?: string;
}

/** Tunables of the built controller. */
export interface BuilderOptions {
  /** Workers reconciling different keys at once. Default 1. */
  maxConcurrentReconciles?: number;
  /** Aborts a reconcile's signal after this many ms. Default none. */
  reconcileTimeoutMs?: number;
  /** Bound on the wait for caches at start, ms. Default 120 000. */
  cacheSyncTimeoutMs?: number;
  /** Retry policy. Default client-go's controller rate limiter. */
  rateLimiter?: RateLimiter<string>;
  /** Run only on the elected leader. Default true. */
  needLeaderElection?: boolean;
}

/** Thrown by `build()` with every misuse found. */
export class BuilderError extends Error {
  override readonly name = 'BuilderError';
  readonly reason = 'InvalidController';
  constructor(readonly problems: readonly string[]) {
    super(`cannot build controller:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

interface PendingWatch {
  readonly type: TypeMeta;
  readonly kind: 'for' | 'owns' | 'watches';
  readonly opts: WatchOptions<KubeObject>;
  readonly map?: MapFunction;
}

/**
 * Wires a controller.
 *
 * @example
 * new ControllerBuilder(manager)
 *   .for(Widget, { predicates: [generationChanged] })
 *   .owns({ apiVersion: 'v1', kind: 'ConfigMap' })
 *   .withOptions({ maxConcurrentReconciles: 4 })
 *   .build(async (req, ctx) => { ...; return Outcome.done(); });
 */
export class ControllerBuilder {
  private readonly problems: string[] = [];
  private readonly watchList: PendingWatch[] = [];
  private readonly filters: Predicate[] = [];
  private name: string | undefined;
  private namespace: string | undefined;
  private options: BuilderOptions = {};
  private built = false;

  constructor(private readonly host: ControllerHost) {}

  /** Names the controller (metrics and logs). Default: the `for` kind, lower-cased. */
  named(name: string): this {
    if (!/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/.test(name)) {
      this.problems.push(
        `named(${JSON.stringify(name)}): use lower-case letters, digits, "-", "_" or "." (it becomes a metric label)`,
      );
    }
    this.name = name;
    return this;
  }

  /** The kind this controller reconciles; its events enqueue the object itself. Call once. */
  for<T extends KubeObject>(type: TypeMeta, opts: WatchOptions<T> = {}): this {
    if (this.watchList.some((w) => w.kind === 'for')) {
      this.problems.push(
        `for(${type.kind}) called twice: a controller reconciles one kind; watch others with owns() or watches()`,
      );
    }
    this.record(type, 'for', opts as WatchOptions<KubeObject>);
    return this;
  }

  /** A kind this controller creates; events of one enqueue its controller owner (of the `for` kind). */
  owns<T extends KubeObject>(type: TypeMeta, opts: WatchOptions<T> = {}): this {
    this.record(type, 'owns', opts as WatchOptions<KubeObject>);
    return this;
  }

  /** Any other kind; `map` says which keys of the `for` kind each of its objects affects. */
  watches<T extends KubeObject>(type: TypeMeta, map: MapFunction<T>, opts: WatchOptions<T> = {}): this {
    if (typeof map !== 'function')
      this.problems.push(
        `watches(${type.kind}) needs a map function from the watched object to the keys to reconcile`,
      );
    this.record(type, 'watches', opts as WatchOptions<KubeObject>, map as MapFunction);
    return this;
  }

  /** Predicates applied to events of every watched kind. */
  withEventFilter(...predicates: Predicate[]): this {
    this.filters.push(...predicates);
    return this;
  }

  /** Watches and reconciles in one namespace only. Default all namespaces. */
  inNamespace(namespace: string): this {
    this.namespace = namespace;
    return this;
  }

  /** Concurrency, timeouts, rate limiter, leader election. */
  withOptions(options: BuilderOptions): this {
    const n = options.maxConcurrentReconciles;
    if (n !== undefined && (!Number.isInteger(n) || n < 1))
      this.problems.push(`maxConcurrentReconciles must be an integer >= 1, got ${n}`);
    const t = options.reconcileTimeoutMs;
    if (t !== undefined && !(t > 0))
      this.problems.push(`reconcileTimeoutMs must be > 0, got ${t}; leave it unset for no timeout`);
    this.options = { ...this.options, ...options };
    return this;
  }

  /**
   * Checks everything recorded, creates the controller and hands it to the
   * host, which starts it with the manager.
   *
   * @throws BuilderError listing every problem and how to fix it.
   */
  build(reconcile: ReconcileFunction): ReconcileLoop {
    const problems = [...this.problems];
    if (this.built)
      problems.push('build() called twice on one builder: make a new ControllerBuilder per controller');
    const forWatch = this.watchList.find((w) => w.kind === 'for');
    if (forWatch === undefined)
      problems.push('no for(kind): call .for({ apiVersion, kind }) with the kind this controller reconciles');
    if (typeof reconcile !== 'function') problems.push('build(reconcile) needs the reconcile function');
    if (problems.length > 0 || forWatch === undefined) throw new BuilderError(problems);
    this.built = true;

    const name = this.name ?? forWatch.type.kind.toLowerCase();
    let ownerNamespaced = true;
    const sources = this.watchList.map((w): WatchSource => {
      const selection: InformerSelection = {
        ...(this.namespace !== undefined ? { namespace: this.namespace } : {}),
        ...(w.opts.labelSelector !== undefined ? { labelSelector: w.opts.labelSelector } : {}),
      };
      const handler =
        w.kind === 'for'
          ? enqueueObject()
          : w.kind === 'owns'
            ? enqueueControllerOwner(forWatch.type, () => ownerNamespaced)
            : enqueueMapped(w.map as MapFunction);
      return {
        informer: this.host.informerFor(w.type, selection),
        handler,
        predicates: [...this.filters, ...(w.opts.predicates ?? [])],
      };
    });
    const resources = this.host.client.resource(forWatch.type);
    const controller = new ReconcileLoop({
      name,
      reconcile,
      sources,
      ...this.options,
      prepare: async (signal) => {
        // Owner keys of cluster-scoped owners carry no namespace: ask discovery once.
        ownerNamespaced = (await resources.resource(signal ? { signal } : {})).namespaced;
      },
      ...(this.host.logger ? { logger: this.host.logger } : {}),
      ...(this.host.clock ? { clock: this.host.clock } : {}),
      ...(this.host.metricsFor ? { metrics: this.host.metricsFor(name) } : {}),
    });
    this.host.add(controller);
    return controller;
  }

  private record(
    type: TypeMeta,
    kind: PendingWatch['kind'],
    opts: WatchOptions<KubeObject>,
    map?: MapFunction,
  ): void {
    if (typeof type?.apiVersion !== 'string' || typeof type.kind !== 'string') {
      this.problems.push(`${kind}() needs { apiVersion, kind }, got ${JSON.stringify(type)}`);
      return;
    }
    if (
      this.watchList.some(
        (w) =>
          w.kind === kind &&
          w.type.apiVersion === type.apiVersion &&
          w.type.kind === type.kind &&
          kind !== 'watches',
      )
    ) {
      this.problems.push(
        `${kind}(${type.apiVersion} ${type.kind}) called twice: keep one call and merge its predicates`,
      );
    }
    this.watchList.push({
      type: { apiVersion: type.apiVersion, kind: type.kind },
      kind,
      opts,
      ...(map ? { map } : {}),
    });
  }
}
