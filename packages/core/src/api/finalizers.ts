/**
 * Finalizers: run cleanup before an object is deleted.
 *
 * Guarantees:
 * - the finalizer is persisted before `apply` runs, so an object that was
 *   ever worked on cannot vanish without `cleanup` running;
 * - only our own finalizer is removed (JSON Patch `test` + `remove` on its
 *   index), so other controllers' finalizers are never touched;
 * - if cleanup is interrupted (crash, throw, lost leadership) the finalizer
 *   stays and cleanup runs again on the next reconcile.
 *
 * Assumptions: `cleanup` is idempotent; it may run more than once.
 *
 * Caveats: a finalizer blocks deletion for as long as cleanup fails. Remove
 * it by hand (`kubectl patch ... --type json`) if the controller is gone.
 */
import type { JsonPatchOperation, KubeObject, ResourceClient, WriteOptions } from '../client/index.js';
import { objectKey } from '../client/index.js';

/** True when `obj` lists finalizer `name`. */
export function hasFinalizer(obj: KubeObject, name: string): boolean {
  return obj.metadata.finalizers?.includes(name) ?? false;
}

/** True once deletion was requested (`metadata.deletionTimestamp` set). */
export function isBeingDeleted(obj: KubeObject): boolean {
  return obj.metadata.deletionTimestamp !== undefined && obj.metadata.deletionTimestamp !== null;
}

/**
 * Adds finalizer `name` with a JSON Patch guarded by a `test` of the list as
 * we saw it; a concurrent change fails the patch (retry reconciles again).
 * A no-op when already present.
 */
export async function addFinalizer<T extends KubeObject>(
  resource: ResourceClient<T>,
  obj: T,
  name: string,
  opts: WriteOptions = {},
): Promise<T> {
  if (hasFinalizer(obj, name)) return obj;
  const current = obj.metadata.finalizers;
  const ops: JsonPatchOperation[] =
    current === undefined || current.length === 0
      ? [
          // The API server's JSON Patch treats a missing field as null for `test`.
          { op: 'test', path: '/metadata/finalizers', value: current ?? null },
          { op: 'add', path: '/metadata/finalizers', value: [name] },
        ]
      : [
          { op: 'test', path: '/metadata/finalizers', value: current },
          { op: 'add', path: '/metadata/finalizers/-', value: name },
        ];
  return resource.patch(objectKey(obj), { type: 'json', ops }, opts);
}

/**
 * Removes finalizer `name` only: `test` that the entry at its index is ours,
 * then `remove` that index. A no-op when absent.
 */
export async function removeFinalizer<T extends KubeObject>(
  resource: ResourceClient<T>,
  obj: T,
  name: string,
  opts: WriteOptions = {},
): Promise<T> {
  const index = obj.metadata.finalizers?.indexOf(name) ?? -1;
  if (index < 0) return obj;
  const path = `/metadata/finalizers/${index}`;
  return resource.patch(
    objectKey(obj),
    {
      type: 'json',
      ops: [
        { op: 'test', path, value: name },
        { op: 'remove', path },
      ],
    },
    opts,
  );
}

/** The two halves of a finalized reconcile. */
export interface FinalizerHandlers<T extends KubeObject, R> {
  /** The normal reconcile; runs with the finalizer already persisted. */
  apply(obj: T): Promise<R>;
  /**
   * Cleanup on deletion; the finalizer is removed once this resolves. Throw
   * to keep the finalizer and retry later. Must be idempotent.
   */
  cleanup(obj: T): Promise<R>;
}

/**
 * Runs `apply` or `cleanup` around finalizer `name`, the kube-rs
 * `finalizer()` way:
 * 1. being deleted and our finalizer present: `cleanup`, then remove it;
 * 2. being deleted without it: nothing to do (returns `undefined`);
 * 3. not being deleted: add the finalizer if missing, then `apply`.
 *
 * @example
 * return withFinalizer(widgets, obj, 'example.com/cleanup', {
 *   apply: async (w) => { await ensureChildren(w); return Outcome.done(); },
 *   cleanup: async (w) => { await releaseExternal(w); return Outcome.done(); },
 * });
 */
export async function withFinalizer<T extends KubeObject, R>(
  resource: ResourceClient<T>,
  obj: T,
  name: string,
  handlers: FinalizerHandlers<T, R>,
  opts: WriteOptions = {},
): Promise<R | undefined> {
  if (isBeingDeleted(obj)) {
    if (!hasFinalizer(obj, name)) return undefined;
    const result = await handlers.cleanup(obj);
    await removeFinalizer(resource, obj, name, opts);
    return result;
  }
  const withIt = await addFinalizer(resource, obj, name, opts);
  return handlers.apply(withIt);
}
