/**
 * The reconcile loop: event sources feed keys into a work queue; workers take
 * one key at a time, run the reconciler, and turn its outcome into exactly
 * one queue operation (controller-runtime's `reconcileHandler`).
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject, TypeMeta } from '../client/index.js';
import { keyString, parseKeyString } from '../client/index.js';
import type { InformerHandler } from '../cache/index.js';
import type { Logger } from '../logging/index.js';
import { silentLogger } from '../logging/index.js';
import type { ControllerMetricSet, ReconcileResultLabel } from '../metrics/index.js';
import type { Clock, RateLimiter } from '../queue/index.js';
import { WorkQueue, realClock } from '../queue/index.js';
import type { EventHandler } from './handlers.js';
import type { ReconcileOutcome, ReconcileRequest } from './outcome.js';
import { TerminalError } from './outcome.js';
import type { ObjectEvent, Predicate } from './predicates.js';

/** What a reconcile gets besides the key. */
export interface ReconcileContext {
  /** Aborted when the reconcile timeout passes or shutdown's grace period ends. Pass it to every call. */
  readonly signal: AbortSignal;
  /** Logger bound to controller, key and reconcile ID. */
  readonly log: Logger;
  /** Unique per reconcile, on every log line. */
  readonly reconcileId: string;
  /** The controller's name. */
  readonly controller: string;
}

/** A reconcile: make the world match the object named by `req`; safe to run any number of times. */
export type ReconcileFunction = (
  req: ReconcileRequest,
  ctx: ReconcileContext,
) => Promise<ReconcileOutcome | void> | ReconcileOutcome | void;

/** The part of an Informer a controller needs (the cache layer's Informer fits). */
export interface EventSourceInformer<T extends KubeObject = KubeObject> {
  /** The kind it informs about. */
  readonly type: TypeMeta;
  /** Calls `handler` on every add, update and delete; returns the function that removes it. */
  addHandler(handler: InformerHandler<T>): () => void;
  /** Resolves once the initial list is in the cache; rejects when `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void>;
}

/** One watched kind: where events come from, which pass, and which keys they enqueue. */
export interface WatchSource<T extends KubeObject = KubeObject> {
  readonly informer: EventSourceInformer<T>;
  readonly handler: EventHandler<T>;
  readonly predicates: readonly Predicate<T>[];
}

/** Options of a {@link ReconcileLoop}; the builder fills them in. */
export interface ControllerOptions {
  /** Unique name: the `controller` label of metrics and logs. */
  name: string;
  reconcile: ReconcileFunction;
  sources: readonly WatchSource[];
  /** Workers reconciling different keys at once. Default 1. */
  maxConcurrentReconciles?: number;
  /** Aborts a reconcile's signal after this many ms. Default: no timeout. */
  reconcileTimeoutMs?: number;
  /** Bound on waiting for the sources' caches, in ms. Default 120 000. */
  cacheSyncTimeoutMs?: number;
  /** Retry policy. Default client-go's controller rate limiter. */
  rateLimiter?: RateLimiter<string>;
  clock?: Clock;
  logger?: Logger;
  metrics?: ControllerMetricSet;
  /** Run only on the elected leader. Default true. */
  needLeaderElection?: boolean;
  /** Runs at start before the sources are hooked (e.g. a discovery lookup). */
  prepare?: (signal?: AbortSignal) => Promise<void>;
}

/** Thrown by `start` when a source's cache did not sync in time. */
export class CacheSyncTimeoutError extends Error {
  override readonly name = 'CacheSyncTimeoutError';
  readonly reason = 'CacheSyncTimeout';
  constructor(
    readonly controller: string,
    readonly type: TypeMeta,
    timeoutMs: number,
  ) {
    super(
      `controller ${controller}: the ${type.apiVersion} ${type.kind} cache did not sync within ${timeoutMs} ms; ` +
        'check RBAC (list and watch on that resource), that its CRD is installed, and the API server logs',
    );
  }
}

/**
 * A running reconcile loop. Build one with `ControllerBuilder`; the manager
 * starts and stops it.
 */
export class ReconcileLoop {
  readonly name: string;
  readonly needLeaderElection: boolean;
  private readonly queue: WorkQueue<string>;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly inFlight = new Set<AbortController>();
  private readonly unsubscribes: (() => void)[] = [];
  private workers: Promise<void>[] = [];
  private started = false;

  constructor(private readonly opts: ControllerOptions) {
    this.name = opts.name;
    this.needLeaderElection = opts.needLeaderElection ?? true;
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? silentLogger).child({ controller: opts.name });
    this.queue = new WorkQueue<string>({
      clock: this.clock,
      ...(opts.rateLimiter ? { rateLimiter: opts.rateLimiter } : {}),
      ...(opts.metrics ? { metrics: opts.metrics.queue } : {}),
    });
  }

  /** Queues a key by hand (e.g. from an external trigger). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  /**
   * Hooks the sources, waits for their caches (bounded), then starts the
   * workers. Resolves once workers run; rejects with {@link CacheSyncTimeoutError}.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`controller ${this.name} was already started; controllers start once`);
    this.started = true;
    await this.opts.prepare?.(signal);
    // Handlers go on before the wait so no event between sync and workers is lost.
    for (const source of this.opts.sources) this.unsubscribes.push(this.hook(source));
    const timeoutMs = this.opts.cacheSyncTimeoutMs ?? 120_000;
    await Promise.all(this.opts.sources.map((s) => this.waitForSync(s.informer, timeoutMs, signal)));
    const n = Math.max(1, this.opts.maxConcurrentReconciles ?? 1);
    this.opts.metrics?.maxConcurrentReconciles(n);
    this.opts.metrics?.trackUnfinishedWork(() => this.queue.unfinishedWork());
    this.log.info('starting workers', { workers: n });
    this.workers = Array.from({ length: n }, () => this.worker());
  }

  /**
   * Stops taking new keys and lets in-flight reconciles finish for up to
   * `graceMs`; after that their signals abort. Resolves `true` when all
   * finished within the grace period.
   */
  async stop(graceMs = 30_000): Promise<boolean> {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    const drained = await this.queue.shutdownWithDrain(graceMs);
    if (!drained) {
      this.log.warn('reconciles still running after the grace period; aborting them', {
        graceMs,
        inFlight: this.inFlight.size,
      });
      for (const ac of this.inFlight) ac.abort(new Error(`controller ${this.name} stopped`));
    } else {
      await Promise.all(this.workers);
    }
    this.opts.metrics?.untrack();
    this.log.info('stopped', { drained });
    return drained;
  }

  private hook<T extends KubeObject>(source: WatchSource<T>): () => void {
    const handle = (ev: ObjectEvent<T>): void => {
      if (!source.predicates.every((p) => p(ev))) return;
      for (const key of source.handler(ev)) this.queue.add(keyString(key));
    };
    return source.informer.addHandler({
      onAdd: (object) => handle({ type: 'create', object }),
      onUpdate: (old, object) => handle({ type: 'update', old, object }),
      onDelete: (object) => handle({ type: 'delete', object }),
    });
  }

  private async waitForSync(
    informer: EventSourceInformer,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const ac = new AbortController();
    const onAbort = (): void => ac.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const cancel = this.clock.setTimer(
      () => ac.abort(new CacheSyncTimeoutError(this.name, informer.type, timeoutMs)),
      timeoutMs,
    );
    try {
      await informer.waitForSync(ac.signal);
    } catch (err) {
      throw ac.signal.reason instanceof CacheSyncTimeoutError ? ac.signal.reason : err;
    } finally {
      cancel();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.reconcileKey(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async reconcileKey(key: string): Promise<void> {
    const reconcileId = randomUUID();
    const log = this.log.child({ key, reconcileID: reconcileId });
    const ac = new AbortController();
    this.inFlight.add(ac);
    const timeoutMs = this.opts.reconcileTimeoutMs;
    const cancelTimeout =
      timeoutMs === undefined
        ? undefined
        : this.clock.setTimer(
            () => ac.abort(new Error(`reconcile timed out after ${timeoutMs} ms`)),
            timeoutMs,
          );
    const started = this.clock.now();
    this.opts.metrics?.activeWorkers(1);
    let result: ReconcileResultLabel;
    try {
      const req: ReconcileRequest = { ...parseKeyString(key), key };
      const outcome = await this.opts.reconcile(req, {
        signal: ac.signal,
        log,
        reconcileId,
        controller: this.name,
      });
      result = this.apply(key, outcome ?? { kind: 'done' });
    } catch (err) {
      result = 'error';
      const terminal = err instanceof TerminalError;
      this.opts.metrics?.reconcileError(terminal);
      if (terminal) {
        this.queue.forget(key);
        log.error('reconcile failed with a terminal error; not retrying until the object changes', { err });
      } else {
        this.queue.addRateLimited(key);
        log.error('reconcile failed; retrying with backoff', {
          err: err instanceof Error ? err : String(err),
          retries: this.queue.numRequeues(key),
        });
      }
    } finally {
      cancelTimeout?.();
      this.inFlight.delete(ac);
      this.opts.metrics?.activeWorkers(-1);
    }
    this.opts.metrics?.reconciled(result, (this.clock.now() - started) / 1000);
  }

  /** The one switch from outcome to queue operation. */
  private apply(key: string, outcome: ReconcileOutcome): ReconcileResultLabel {
    switch (outcome.kind) {
      case 'done':
        this.queue.forget(key);
        return 'success';
      case 'requeue':
        this.queue.addRateLimited(key);
        return 'requeue';
      case 'requeueAfter':
        this.queue.forget(key);
        this.queue.addAfter(key, outcome.delayMs);
        return 'requeue_after';
    }
  }
}
