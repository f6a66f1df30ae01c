/**
 * Owner references: how a child names its owner so the garbage collector
 * deletes it with the owner, and `owns()` maps child events to the owner.
 */
import type { KubeObject, OwnerReference } from '../client/index.js';

/** An owner must be a persisted object with identity fields. */
export interface OwnerObject extends KubeObject {
  apiVersion?: string;
  kind?: string;
}

/** Thrown when a child already has a different controller owner. */
export class AlreadyOwnedError extends Error {
  override readonly name = 'AlreadyOwnedError';
  readonly reason = 'AlreadyOwned';
  constructor(
    readonly child: string,
    readonly existing: OwnerReference,
  ) {
    super(`${child} is already controlled by ${existing.kind} ${existing.name} (uid ${existing.uid})`);
  }
}

function requireIdentity(owner: OwnerObject): {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
} {
  const { apiVersion, kind } = owner;
  const { name, uid } = owner.metadata;
  if (apiVersion === undefined || kind === undefined || name === undefined || uid === undefined) {
    throw new TypeError(
      'owner needs apiVersion, kind, metadata.name and metadata.uid: pass the object as read from the API server',
    );
  }
  return { apiVersion, kind, name, uid };
}

/**
 * An owner reference to `owner`. With `controller: true` it is the
 * controller reference (`owns()` maps children by it); `blockOwnerDeletion`
 * (default true) makes foreground deletion of the owner wait for the child.
 */
export function ownerReference(
  owner: OwnerObject,
  opts: { controller?: boolean; blockOwnerDeletion?: boolean } = {},
): OwnerReference {
  return {
    ...requireIdentity(owner),
    controller: opts.controller ?? false,
    blockOwnerDeletion: opts.blockOwnerDeletion ?? true,
  };
}

/** The controller reference of `obj`, if any. */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** True when `owner` is `obj`'s controller (compared by uid). */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = getControllerOf(obj);
  return ref !== undefined && ref.uid === owner.metadata.uid;
}

function checkNamespaces(owner: OwnerObject, child: KubeObject): void {
  const ns = owner.metadata.namespace;
  if (ns !== undefined && ns !== '' && child.metadata.namespace !== ns) {
    throw new TypeError(
      `a namespaced owner (${owner.kind} ${ns}/${owner.metadata.name}) can only own objects in its own namespace, not ${child.metadata.namespace ?? 'cluster-scoped objects'}`,
    );
  }
}

/**
 * Returns a copy of `child` with `owner` as its controller (replacing a
 * stale reference to the same owner).
 *
 * @throws AlreadyOwnedError when another object already controls `child`.
 * @throws TypeError when the owner is namespaced and the child is elsewhere.
 */
export function setControllerReference<T extends KubeObject>(owner: OwnerObject, child: T): T {
  checkNamespaces(owner, child);
  const ref = ownerReference(owner, { controller: true });
  const existing = getControllerOf(child);
  if (existing !== undefined && existing.uid !== ref.uid) {
    throw new AlreadyOwnedError(`${child.kind ?? 'object'} ${child.metadata.name ?? ''}`, existing);
  }
  const others = (child.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid);
  return { ...child, metadata: { ...child.metadata, ownerReferences: [...others, ref] } };
}

/** Returns a copy of `child` that also lists `owner` (not as controller). */
export function setOwnerReference<T extends KubeObject>(owner: OwnerObject, child: T): T {
  checkNamespaces(owner, child);
  const ref = ownerReference(owner);
  const refs = child.metadata.ownerReferences ?? [];
  const existing = refs.find((r) => r.uid === ref.uid);
  const merged =
    existing === undefined
      ? [...refs, ref]
      : refs.map((r) => (r.uid === ref.uid ? { ...ref, controller: r.controller ?? false } : r));
  return { ...child, metadata: { ...child.metadata, ownerReferences: merged } };
}
