// The wire shape of Kubernetes objects as the API server sends them (JSON, so
// timestamps are strings), and the key that names one object in a cache.

/** A reference from a dependent object to its owner (metav1.OwnerReference). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** One entry of `metadata.managedFields`, recorded by server-side apply. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** Standard object metadata (metav1.ObjectMeta) in its JSON form. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
}

/**
 * Any Kubernetes object: built-in or custom. Resource-specific fields
 * (`spec`, `status`, `data`, ...) are declared by the caller's own type that
 * extends this one.
 *
 * @example
 * ```ts
 * interface ConfigMap extends KubeObject { data?: Record<string, string> }
 * ```
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

/** List metadata (metav1.ListMeta). */
export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** A list response: the items plus the resourceVersion the list was read at. */
export interface KubeList<T extends KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

/**
 * An object of which only the metadata is fetched (`meta.k8s.io/v1`
 * PartialObjectMetadata), used by metadata-only watches to keep memory down.
 */
export interface PartialObjectMetadata extends KubeObject {
  apiVersion: 'meta.k8s.io/v1';
  kind: 'PartialObjectMetadata';
}

/** Names a kind by its `apiVersion` ("v1", "apps/v1") and `kind`. */
export interface TypeMeta {
  apiVersion: string;
  kind: string;
}

/** Names one object: `name` plus `namespace` for namespaced resources. */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

/**
 * The key of an object, from its metadata.
 *
 * @throws TypeError when the object has no `metadata.name`.
 */
export function objectKey(obj: KubeObject): ObjectKey {
  const { name, namespace } = obj.metadata;
  if (name === undefined || name === '') throw new TypeError('object has no metadata.name');
  return namespace === undefined || namespace === '' ? { name } : { namespace, name };
}

/** A key as a string: `"namespace/name"`, or `"name"` for cluster-scoped objects. */
export function keyString(key: ObjectKey): string {
  return key.namespace === undefined || key.namespace === '' ? key.name : `${key.namespace}/${key.name}`;
}

/** Parses `"namespace/name"` or `"name"` back into an {@link ObjectKey}. */
export function parseKeyString(key: string): ObjectKey {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** Splits an `apiVersion` into group ("" for the core group) and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
