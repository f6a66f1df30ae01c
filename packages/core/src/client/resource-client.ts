// The typed client for one kind: CRUD, patches, server-side apply and the
// status subresource. One instance per kind; the REST mapping is resolved
// through discovery on first use, so creating a client never does I/O.

import { ApiError, errorFromResponse, TimeoutError, TooManyRequestsError } from './errors.js';
import type { Verb } from './errors.js';
import { resourceName, resourcePath } from './discovery.js';
import type { ApiResource, Discovery } from './discovery.js';
import { objectKey } from './kube-object.js';
import type { KubeList, KubeObject, ObjectKey, TypeMeta } from './kube-object.js';
import type {
  ApplyOptions,
  DeepPartial,
  DeleteOptions,
  GetOptions,
  ListOptions,
  Patch,
  RequestOptions,
  WriteOptions,
} from './options.js';
import type { HttpRequest, HttpResponse, Transport } from './transport.js';

/** An object for server-side apply: the fields you own, plus the identity fields. */
export type ApplyObject<T extends KubeObject> = DeepPartial<T> &
  TypeMeta & { metadata: { name: string; namespace?: string } };

/** Calls on the status subresource of a kind. */
export interface StatusClient<T extends KubeObject> {
  /** Reads the object through its status subresource. */
  get(key: ObjectKey, opts?: RequestOptions): Promise<T>;
  /** Replaces the status (the rest of the object is ignored); needs a current resourceVersion. */
  update(obj: T, opts?: WriteOptions): Promise<T>;
  /** Patches the status. */
  patch(key: ObjectKey, patch: Patch, opts?: WriteOptions): Promise<T>;
  /** Server-side applies the status fields you own. */
  apply(obj: ApplyObject<T>, opts?: ApplyOptions): Promise<T>;
}

/**
 * The typed client of one kind. All methods reject with an {@link ApiError}
 * subclass (NotFoundError, ConflictError, ...) carrying verb, resource and key.
 *
 * @example
 * ```ts
 * const cms = client.resource<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap' });
 * const cm = await cms.get({ namespace: 'default', name: 'settings' });
 * await cms.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: { a: '1' } },
 *   { fieldManager: 'my-operator' });
 * ```
 */
export interface ResourceClient<T extends KubeObject> {
  /** The kind this client serves. */
  readonly type: TypeMeta;
  /** The REST mapping (plural, scope), via discovery. */
  resource(opts?: RequestOptions): Promise<ApiResource>;
  /** Reads one object; rejects with NotFoundError when there is none. */
  get(key: ObjectKey, opts?: GetOptions): Promise<T>;
  /** One page (all objects when `limit` is unset and the server does not paginate). */
  list(opts?: ListOptions): Promise<KubeList<T>>;
  /** Every page, concatenated; `metadata.resourceVersion` is the first page's. */
  listAll(opts?: ListOptions): Promise<KubeList<T>>;
  /** Pages one at a time (`limit` default 500). */
  listPages(opts?: ListOptions): AsyncIterable<KubeList<T>>;
  /** Creates the object; rejects with AlreadyExistsError when the name is taken. */
  create(obj: T, opts?: WriteOptions): Promise<T>;
  /** Replaces the object; fails with ConflictError when `metadata.resourceVersion` is stale. */
  update(obj: T, opts?: WriteOptions): Promise<T>;
  /** Deletes; rejects with NotFoundError when there is nothing to delete. */
  delete(key: ObjectKey, opts?: DeleteOptions): Promise<void>;
  /** Patches the object: JSON Patch, merge or strategic merge, as `patch.type` says. */
  patch(key: ObjectKey, patch: Patch, opts?: WriteOptions): Promise<T>;
  /** Server-side apply. A field owned by another manager fails with ConflictError unless `force`. */
  apply(obj: ApplyObject<T>, opts?: ApplyOptions): Promise<T>;
  /** The status subresource. */
  readonly status: StatusClient<T>;
}

/** Settings shared by every resource client of one {@link Client}. */
export interface ResourceClientSettings {
  transport: Transport;
  discovery: Discovery;
  /** Default field manager for writes and apply. */
  fieldManager: string;
  /** Default per-call timeout in ms. */
  requestTimeoutMs: number;
}

const patchContentTypes: Record<Patch['type'], string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** The ResourceClient implementation over a Transport. */
export class HttpResourceClient<T extends KubeObject> implements ResourceClient<T> {
  readonly status: StatusClient<T>;

  constructor(
    readonly type: TypeMeta,
    private readonly settings: ResourceClientSettings,
  ) {
    this.status = {
      get: (key, opts = {}) =>
        this.call('get', key, opts, (r) => ({ method: 'GET', path: this.path(r, key, 'status') })),
      update: (obj, opts = {}) => this.write('update', obj, opts, 'status'),
      patch: (key, patch, opts = {}) => this.patchAt(key, patch, opts, 'status'),
      apply: (obj, opts = {}) => this.applyAt(obj, opts, 'status'),
    };
  }

  resource(opts: RequestOptions = {}): Promise<ApiResource> {
    return this.settings.discovery.resourceFor(this.type, opts.signal ? { signal: opts.signal } : {});
  }

  get(key: ObjectKey, opts: GetOptions = {}): Promise<T> {
    return this.call('get', key, opts, (r) => ({
      method: 'GET',
      path: this.path(r, key),
      query: { resourceVersion: opts.resourceVersion },
    }));
  }

  list(opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.call('list', undefined, opts, (r) => ({
      method: 'GET',
      path: resourcePath(r, opts.namespace),
      query: {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit,
        continue: opts.continue,
        resourceVersion: opts.resourceVersion,
        resourceVersionMatch: opts.resourceVersionMatch,
      },
    }));
  }

  async *listPages(opts: ListOptions = {}): AsyncIterable<KubeList<T>> {
    let next: string | undefined = opts.continue;
    do {
      const page = await this.list({ ...opts, limit: opts.limit ?? 500, continue: next });
      yield page;
      next = page.metadata.continue || undefined;
    } while (next !== undefined);
  }

  async listAll(opts: ListOptions = {}): Promise<KubeList<T>> {
    let first: KubeList<T> | undefined;
    const items: T[] = [];
    for await (const page of this.listPages(opts)) {
      first ??= page;
      for (const item of page.items) items.push(item);
    }
    return { ...first, metadata: { resourceVersion: first?.metadata.resourceVersion }, items };
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    const ns = obj.metadata.namespace;
    const key = obj.metadata.name ? objectKey(obj) : undefined;
    return this.call('create', key, opts, (r) => ({
      method: 'POST',
      path: resourcePath(r, ns),
      query: this.writeQuery(opts),
      body: this.withType(obj),
    }));
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.write('update', obj, opts);
  }

  async delete(key: ObjectKey, opts: DeleteOptions = {}): Promise<void> {
    await this.call('delete', key, opts, (r) => ({
      method: 'DELETE',
      path: this.path(r, key),
      query: { dryRun: opts.dryRun ? 'All' : undefined },
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy: opts.propagationPolicy,
        gracePeriodSeconds: opts.gracePeriodSeconds,
        preconditions: opts.preconditions,
      },
    }));
  }

  patch(key: ObjectKey, patch: Patch, opts: WriteOptions = {}): Promise<T> {
    return this.patchAt(key, patch, opts);
  }

  apply(obj: ApplyObject<T>, opts: ApplyOptions = {}): Promise<T> {
    return this.applyAt(obj, opts);
  }

  private write(verb: 'update', obj: T, opts: WriteOptions, subresource?: string): Promise<T> {
    const key = objectKey(obj);
    return this.call(verb, key, opts, (r) => ({
      method: 'PUT',
      path: this.path(r, key, subresource),
      query: this.writeQuery(opts),
      body: this.withType(obj),
    }));
  }

  private patchAt(key: ObjectKey, patch: Patch, opts: WriteOptions, subresource?: string): Promise<T> {
    return this.call('patch', key, opts, (r) => ({
      method: 'PATCH',
      path: this.path(r, key, subresource),
      query: this.writeQuery(opts),
      contentType: patchContentTypes[patch.type],
      body: patch.type === 'json' ? patch.ops : patch.body,
    }));
  }

  private applyAt(obj: ApplyObject<T>, opts: ApplyOptions, subresource?: string): Promise<T> {
    const key: ObjectKey = { name: obj.metadata.name, namespace: obj.metadata.namespace };
    return this.call('patch', key, opts, (r) => ({
      method: 'PATCH',
      path: this.path(r, key, subresource),
      query: {
        fieldManager: opts.fieldManager ?? this.settings.fieldManager,
        force: opts.force ? true : undefined,
        dryRun: opts.dryRun ? 'All' : undefined,
      },
      contentType: 'application/apply-patch+yaml',
      body: obj,
    }));
  }

  private writeQuery(opts: WriteOptions): HttpRequest['query'] {
    return {
      fieldManager: opts.fieldManager ?? this.settings.fieldManager,
      dryRun: opts.dryRun ? 'All' : undefined,
    };
  }

  private withType(obj: T): T {
    return { ...obj, apiVersion: obj.apiVersion ?? this.type.apiVersion, kind: obj.kind ?? this.type.kind };
  }

  private path(r: ApiResource, key: ObjectKey, subresource?: string): string {
    return resourcePath(r, key.namespace, key.name, subresource);
  }

  /**
   * Resolves the mapping, sends with a timeout, and sorts failures into typed
   * errors. A 429 is retried after its Retry-After (as client-go does), up to
   * `MAX_THROTTLE_RETRIES` times and within the call's timeout.
   */
  private async call<R>(
    verb: Verb,
    key: ObjectKey | undefined,
    opts: RequestOptions,
    build: (r: ApiResource) => HttpRequest,
  ): Promise<R> {
    const timeoutMs = opts.timeoutMs ?? this.settings.requestTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const resource = await this.resource({ signal });
    const ctx = { verb, resource: resourceName(resource), ...(key ? { key } : {}) };
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.settings.transport.request({ ...build(resource), signal });
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        if (timeout.aborted) {
          throw new TimeoutError({
            ...ctx,
            code: 0,
            reason: 'Timeout',
            message: `no answer in ${timeoutMs} ms`,
            cause: err,
          });
        }
        throw new ApiError({ ...ctx, code: 0, reason: 'Unavailable', message: String(err), cause: err });
      }
      if (res.status >= 200 && res.status < 300) return res.body as R;
      const err = errorFromResponse(ctx, res.status, res.body, res.header('retry-after'));
      if (!(err instanceof TooManyRequestsError) || attempt >= MAX_THROTTLE_RETRIES) throw err;
      await sleep(err.retryAfterSeconds * 1000, signal).catch(() => {
        throw err; // out of time while throttled: the 429 is the useful answer
      });
    }
  }
}

/** How often a call is retried after 429 Too Many Requests before the error is surfaced. */
const MAX_THROTTLE_RETRIES = 3;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
