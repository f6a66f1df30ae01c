/**
 * Predicates filter events before they reach the work queue. An event the
 * predicates reject causes no reconcile.
 */
import type { KubeObject } from '../client/index.js';
import { parseLabelSelector } from '../cache/index.js';

/** A change seen by an informer. */
export type ObjectEvent<T extends KubeObject> =
  | { readonly type: 'create'; readonly object: T }
  | { readonly type: 'update'; readonly old: T; readonly object: T }
  | { readonly type: 'delete'; readonly object: T };

/** Decides whether an event should be handled. */
export type Predicate<T extends KubeObject = KubeObject> = (event: ObjectEvent<T>) => boolean;

function sameRecord(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => a?.[k] === b?.[k]);
}

/** Passes creates and deletes, and updates only when they changed this. */
function onUpdate<T extends KubeObject>(changed: (old: T, obj: T) => boolean): Predicate<T> {
  return (ev) => ev.type !== 'update' || changed(ev.old, ev.object);
}

/**
 * Updates pass only when `metadata.generation` changed (spec edits, deletion
 * requested), so status writes and metadata-only edits cause no reconcile.
 * Objects without a generation (ConfigMaps) always pass.
 */
export const generationChanged: Predicate = onUpdate(
  (old, obj) => old.metadata.generation === undefined || old.metadata.generation !== obj.metadata.generation,
);

/** Updates pass only when `metadata.resourceVersion` changed (drops resync ticks). */
export const resourceVersionChanged: Predicate = onUpdate(
  (old, obj) => old.metadata.resourceVersion !== obj.metadata.resourceVersion,
);

/** Updates pass only when labels changed. */
export const labelsChanged: Predicate = onUpdate(
  (old, obj) => !sameRecord(old.metadata.labels, obj.metadata.labels),
);

/** Updates pass only when annotations changed. */
export const annotationsChanged: Predicate = onUpdate(
  (old, obj) => !sameRecord(old.metadata.annotations, obj.metadata.annotations),
);

/** Passes events of objects whose labels match `selector` (e.g. `"app=web,tier!=db"`). */
export function labelSelector(selector: string): Predicate {
  const sel = parseLabelSelector(selector);
  return (ev) => sel.matches(ev.object.metadata.labels ?? {});
}

/** Passes events of objects in one of `namespaces`. */
export function inNamespaces(...namespaces: string[]): Predicate {
  const set = new Set(namespaces);
  return (ev) => set.has(ev.object.metadata.namespace ?? '');
}

/** Passes when every predicate passes. */
export function and<T extends KubeObject>(...ps: Predicate<T>[]): Predicate<T> {
  return (ev) => ps.every((p) => p(ev));
}

/** Passes when any predicate passes. */
export function or<T extends KubeObject>(...ps: Predicate<T>[]): Predicate<T> {
  return (ev) => ps.some((p) => p(ev));
}

/** Passes when `p` does not. */
export function not<T extends KubeObject>(p: Predicate<T>): Predicate<T> {
  return (ev) => !p(ev);
}
