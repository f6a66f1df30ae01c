// Options of the resource client's calls. Every call takes an AbortSignal;
// times are in milliseconds unless the name says seconds (the API's own units).

/** Options every call accepts. */
export interface RequestOptions {
  /** Aborts the call; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Client-side bound on the whole call, in ms. Default: the client's `requestTimeoutMs` (30 000). */
  timeoutMs?: number;
}

/** Options of `get`. */
export interface GetOptions extends RequestOptions {
  /** "0" reads from the API server's watch cache; unset is a quorum read. */
  resourceVersion?: string;
}

/** Options of `list`, `listAll` and `listPages`. */
export interface ListOptions extends RequestOptions {
  /** Namespace to list in; unset lists across all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  /** Label selector, e.g. `"app=web,tier!=db"`. */
  labelSelector?: string;
  /** Field selector, e.g. `"metadata.name=foo"`. */
  fieldSelector?: string;
  /** Page size. `list` returns one page of this size; `listAll`/`listPages` default to 500. */
  limit?: number;
  /** The continue token of the previous page. */
  continue?: string;
  /** Read at this resourceVersion (see the API's resourceVersion semantics). */
  resourceVersion?: string;
  /** How `resourceVersion` is matched: "NotOlderThan" or "Exact". */
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

/** Options of calls that write. */
export interface WriteOptions extends RequestOptions {
  /** Validate and default on the server, but persist nothing. */
  dryRun?: boolean;
  /** The field manager recorded in managedFields. Default: the client's `fieldManager`. */
  fieldManager?: string;
}

/** Options of `apply` (server-side apply). */
export interface ApplyOptions extends RequestOptions {
  /** The field manager that owns the applied fields. Default: the client's `fieldManager`. */
  fieldManager?: string;
  /** Take ownership of fields another manager owns instead of failing with a ConflictError. Default false. */
  force?: boolean;
  /** Validate and default on the server, but persist nothing. */
  dryRun?: boolean;
}

/** Options of `delete`. */
export interface DeleteOptions extends RequestOptions {
  /** How dependents are garbage-collected. Default: the resource's own default. */
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** Grace period in seconds; 0 deletes immediately. */
  gracePeriodSeconds?: number;
  /**
   * Delete only if the object still has this uid / resourceVersion; otherwise
   * the call rejects with a ConflictError and nothing is deleted. A uid guards
   * against deleting an object recreated under the same name since it was read.
   *
   * @example
   * ```ts
   * await pods.delete(key, { preconditions: { uid: observed.metadata.uid } });
   * ```
   */
  preconditions?: { uid?: string; resourceVersion?: string };
  /** Validate, but delete nothing. */
  dryRun?: boolean;
}

/** One RFC 6902 JSON Patch operation. */
export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

/**
 * A patch, by type:
 * - `json`: RFC 6902 operations (use `test` ops for optimistic checks);
 * - `merge`: RFC 7386 JSON merge patch (lists are replaced whole);
 * - `strategic`: strategic merge patch (built-in types only; lists merged by key).
 * Server-side apply has its own method, `apply`.
 */
export type Patch =
  | { type: 'json'; ops: JsonPatchOperation[] }
  | { type: 'merge'; body: object }
  | { type: 'strategic'; body: object };

/** Recursively optional, for the partial objects that server-side apply takes. */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
