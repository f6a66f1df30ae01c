/**
 * Event handlers turn an informer event into the keys of the objects to
 * reconcile: the object itself (`for`), its controller owner (`owns`), or
 * whatever a map function says (`watches`).
 */
import type { KubeObject, ObjectKey, TypeMeta } from '../client/index.js';
import { keyString, parseApiVersion } from '../client/index.js';
import type { ObjectEvent } from './predicates.js';

/** Maps an event to the keys to reconcile. */
export type EventHandler<T extends KubeObject = KubeObject> = (event: ObjectEvent<T>) => readonly ObjectKey[];

/** Maps a watched object to the keys of the objects to reconcile (`watches`). */
export type MapFunction<T extends KubeObject = KubeObject> = (obj: T) => readonly ObjectKey[];

/** Enqueues the object itself. */
export function enqueueObject<T extends KubeObject>(): EventHandler<T> {
  return (ev) => {
    const { name, namespace } = ev.object.metadata;
    if (name === undefined) return [];
    return [namespace === undefined || namespace === '' ? { name } : { namespace, name }];
  };
}

/**
 * Enqueues the controller owner of the object when it is of `owner`'s group
 * and kind (any version). On updates that change the owner, both the old and
 * the new owner are enqueued. `ownerNamespaced` says whether the owner lives
 * in the child's namespace or is cluster-scoped.
 */
export function enqueueControllerOwner<T extends KubeObject>(
  owner: TypeMeta,
  ownerNamespaced: () => boolean,
): EventHandler<T> {
  const group = parseApiVersion(owner.apiVersion).group;
  const ownerOf = (obj: KubeObject): ObjectKey | undefined => {
    const ref = obj.metadata.ownerReferences?.find((r) => r.controller === true);
    if (ref === undefined || ref.kind !== owner.kind || parseApiVersion(ref.apiVersion).group !== group)
      return undefined;
    const namespace = obj.metadata.namespace;
    return ownerNamespaced() && namespace !== undefined && namespace !== ''
      ? { namespace, name: ref.name }
      : { name: ref.name };
  };
  return (ev) => {
    const keys = [ownerOf(ev.object), ev.type === 'update' ? ownerOf(ev.old) : undefined].filter(
      (k): k is ObjectKey => k !== undefined,
    );
    return dedupe(keys);
  };
}

/** Enqueues what `map` returns for the object (and for the old object on updates). */
export function enqueueMapped<T extends KubeObject>(map: MapFunction<T>): EventHandler<T> {
  return (ev) => dedupe([...map(ev.object), ...(ev.type === 'update' ? map(ev.old) : [])]);
}

function dedupe(keys: readonly ObjectKey[]): ObjectKey[] {
  const seen = new Map<string, ObjectKey>();
  for (const k of keys) seen.set(keyString(k), k);
  return [...seen.values()];
}
