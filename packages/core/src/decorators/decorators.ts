/**
 * Class-based controllers: decorators record what the class declares
 * (reflect-metadata), and {@link buildDecoratedController} turns the record
 * into one `ControllerBuilder` call. There is no second implementation: a
 * decorated class can do exactly what the builder can, and nothing else.
 */
import 'reflect-metadata';
import type { KubeObject, TypeMeta } from '../client/index.js';
import { NotFoundError } from '../client/index.js';
import type {
  ReconcileLoop,
  ControllerHost,
  ControllerWatchOptions,
  BuilderOptions,
  MapFunction,
  Predicate,
  ReconcileContext,
  ReconcileFunction,
  ReconcileOutcome,
} from '../controller/index.js';
import { ControllerBuilder, Outcome } from '../controller/index.js';
import { addFinalizer, hasFinalizer, isBeingDeleted, removeFinalizer } from '../api/index.js';

/** Options of {@link Controller}. */
export interface ControllerDecoratorOptions<
  T extends KubeObject = KubeObject,
> extends ControllerWatchOptions<T> {
  /** The kind reconciled (a `defineResource` result works). */
  for: TypeMeta;
  /** Controller name. Default: the kind, lower-cased. */
  name?: string;
  /** Reconcile objects of one namespace only. */
  namespace?: string;
  /** Predicates on events of every watched kind. */
  eventFilter?: Predicate[];
  options?: BuilderOptions;
}

/** Cleanup called for an object being deleted; the finalizer goes once it resolves. */
export type FinalizerMethod<T extends KubeObject = KubeObject> = (obj: T, ctx: ReconcileContext) => unknown;

const CONTROLLER = Symbol('switchboard:controller');
const OWNS = Symbol('switchboard:owns');
const WATCHES = Symbol('switchboard:watches');
const RECONCILE = Symbol('switchboard:reconcile');
const FINALIZER = Symbol('switchboard:finalizer');

interface OwnsRecord {
  type: TypeMeta;
  opts: ControllerWatchOptions<KubeObject>;
}
interface WatchesRecord extends OwnsRecord {
  map: MapFunction;
}
interface FinalizerRecord {
  name: string;
  method: string | symbol;
}

function appendMetadata<V>(key: symbol, value: V, target: object): void {
  const list = (Reflect.getOwnMetadata(key, target) as V[] | undefined) ?? [];
  Reflect.defineMetadata(key, [...list, value], target);
}

/**
 * Marks a class as a controller of `opts.for`.
 *
 * @example
 * @Controller({ for: Gadget, predicates: [generationChanged] })
 * @Owns({ apiVersion: 'v1', kind: 'ConfigMap' })
 * class GadgetController {
 *   @Reconcile() async reconcile(req: ReconcileRequest, ctx: ReconcileContext) { ... }
 *   @Finalizer('example.com/cleanup') async cleanup(obj: GadgetObject) { ... }
 * }
 * buildDecoratedController(manager, new GadgetController());
 */
export function Controller<T extends KubeObject = KubeObject>(
  opts: ControllerDecoratorOptions<T>,
): ClassDecorator {
  return (target) => Reflect.defineMetadata(CONTROLLER, opts, target);
}

/** Watches a child kind and maps it to its controller owner (builder `owns`). */
export function Owns<T extends KubeObject = KubeObject>(
  type: TypeMeta,
  opts: ControllerWatchOptions<T> = {},
): ClassDecorator {
  return (target) =>
    appendMetadata<OwnsRecord>(OWNS, { type, opts: opts as ControllerWatchOptions<KubeObject> }, target);
}

/** Watches any kind, mapping its objects to keys to reconcile (builder `watches`). */
export function Watches<T extends KubeObject = KubeObject>(
  type: TypeMeta,
  map: MapFunction<T>,
  opts: ControllerWatchOptions<T> = {},
): ClassDecorator {
  return (target) =>
    appendMetadata<WatchesRecord>(
      WATCHES,
      { type, map: map as MapFunction, opts: opts as ControllerWatchOptions<KubeObject> },
      target,
    );
}

/** Marks the reconcile method: `(req, ctx) => ReconcileOutcome | void`. */
export function Reconcile(): <F extends ReconcileFunction>(
  target: object,
  key: string | symbol,
  desc: TypedPropertyDescriptor<F>,
) => void {
  return (target, key) => Reflect.defineMetadata(RECONCILE, key, target.constructor);
}

/**
 * Marks the cleanup method of finalizer `name`: the generated reconcile adds
 * the finalizer before calling the reconcile method, and on deletion calls
 * this method, then removes the finalizer (kube-rs `finalizer()` semantics).
 */
export function Finalizer(
  name: string,
): <F extends FinalizerMethod<never>>(
  target: object,
  key: string | symbol,
  desc: TypedPropertyDescriptor<F>,
) => void {
  return (target, key) =>
    Reflect.defineMetadata(FINALIZER, { name, method: key } satisfies FinalizerRecord, target.constructor);
}

/** Thrown when a class lacks what {@link buildDecoratedController} needs. */
export class DecoratorError extends Error {
  override readonly name = 'DecoratorError';
  readonly reason = 'InvalidController';
}

/**
 * Turns a decorated instance into a builder call on `host` (a Manager) and
 * builds it. Misuse surfaces as the builder's `BuilderError`.
 */
export function buildDecoratedController(host: ControllerHost, instance: object): ReconcileLoop {
  const ctor = instance.constructor;
  const opts = Reflect.getOwnMetadata(CONTROLLER, ctor) as ControllerDecoratorOptions | undefined;
  if (opts === undefined) throw new DecoratorError(`${ctor.name} has no @Controller({ for }) decorator`);
  const reconcileKey = Reflect.getOwnMetadata(RECONCILE, ctor) as string | symbol | undefined;
  if (reconcileKey === undefined) throw new DecoratorError(`${ctor.name} has no @Reconcile() method`);
  const methods = instance as Record<string | symbol, unknown>;
  const reconcile = (methods[reconcileKey] as ReconcileFunction).bind(instance);

  const b = new ControllerBuilder(host).for(opts.for, {
    predicates: opts.predicates ?? [],
    ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
  });
  if (opts.name !== undefined) b.named(opts.name);
  if (opts.namespace !== undefined) b.inNamespace(opts.namespace);
  if (opts.eventFilter) b.withEventFilter(...opts.eventFilter);
  if (opts.options) b.withOptions(opts.options);
  // Class decorators apply bottom-up; reverse to keep source order.
  for (const o of [...((Reflect.getOwnMetadata(OWNS, ctor) as OwnsRecord[] | undefined) ?? [])].reverse())
    b.owns(o.type, o.opts);
  for (const w of [
    ...((Reflect.getOwnMetadata(WATCHES, ctor) as WatchesRecord[] | undefined) ?? []),
  ].reverse())
    b.watches(w.type, w.map, w.opts);

  const fin = Reflect.getOwnMetadata(FINALIZER, ctor) as FinalizerRecord | undefined;
  if (fin === undefined) return b.build(reconcile);
  const cleanup = (methods[fin.method] as FinalizerMethod).bind(instance);
  const resource = host.client.resource(opts.for);
  return b.build(async (req, ctx): Promise<ReconcileOutcome | void> => {
    let obj: KubeObject;
    try {
      obj = await resource.get(req, { signal: ctx.signal });
    } catch (err) {
      if (err instanceof NotFoundError) return Outcome.done();
      throw err;
    }
    if (isBeingDeleted(obj)) {
      if (!hasFinalizer(obj, fin.name)) return Outcome.done();
      await cleanup(obj, ctx);
      await removeFinalizer(resource, obj, fin.name, { signal: ctx.signal });
      return Outcome.done();
    }
    if (!hasFinalizer(obj, fin.name)) await addFinalizer(resource, obj, fin.name, { signal: ctx.signal });
    return reconcile(req, ctx);
  });
}
