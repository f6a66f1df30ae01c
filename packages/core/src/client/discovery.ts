// Discovery: maps an apiVersion + kind to the REST resource that serves it
// (plural name, scope, verbs). Fetched per group-version on first use, cached,
// and fetched again when a kind is not found (a CRD may have just been
// installed), with concurrent lookups sharing one request.

import { errorFromResponse, NotFoundError } from './errors.js';
import { parseApiVersion } from './kube-object.js';
import type { TypeMeta } from './kube-object.js';
import type { Transport } from './transport.js';

/** A REST resource as discovery describes it. */
export interface ApiResource {
  /** API group; "" for the core group. */
  group: string;
  version: string;
  kind: string;
  /** The plural resource name used in paths, e.g. "configmaps". */
  name: string;
  /** Whether objects live in namespaces. */
  namespaced: boolean;
  /** Verbs the resource supports, e.g. ["get", "list", "watch"]. */
  verbs: readonly string[];
  /** Subresources, e.g. ["status", "scale"]. */
  subresources: readonly string[];
}

interface ApiResourceListBody {
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

/** The resource name used in errors and RBAC: `plural` or `plural.group`. */
export function resourceName(r: Pick<ApiResource, 'group' | 'name'>): string {
  return r.group === '' ? r.name : `${r.name}.${r.group}`;
}

/**
 * The REST path of a resource, optionally of one object and one of its
 * subresources. `namespace` is ignored for cluster-scoped resources.
 */
export function resourcePath(
  r: ApiResource,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  let path = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  if (r.namespaced && namespace !== undefined && namespace !== '')
    path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${r.name}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource !== undefined) path += `/${subresource}`;
  return path;
}

/** Resolves kinds to resources, caching per group-version. */
export class Discovery {
  private readonly byGroupVersion = new Map<string, Promise<ApiResource[]>>();

  constructor(private readonly transport: Transport) {}

  /**
   * The resource serving `type`. Fetches the group-version again once when
   * the kind is not in the cached answer.
   *
   * @throws NotFoundError when the API server does not serve the kind.
   */
  async resourceFor(type: TypeMeta, opts: { signal?: AbortSignal } = {}): Promise<ApiResource> {
    const found = (await this.resources(type.apiVersion, opts.signal)).find((r) => r.kind === type.kind);
    if (found) return found;
    this.invalidate(type.apiVersion);
    const again = (await this.resources(type.apiVersion, opts.signal)).find((r) => r.kind === type.kind);
    if (again) return again;
    throw new NotFoundError({
      verb: 'discover',
      resource: `${type.kind}.${type.apiVersion}`,
      code: 404,
      reason: 'NotFound',
      message: `the server does not serve kind ${type.kind} in ${type.apiVersion}: is its CRD installed? (kubectl apply -f config/crd/)`,
    });
  }

  /** Every resource (without subresources) of a group-version. */
  resources(apiVersion: string, signal?: AbortSignal): Promise<ApiResource[]> {
    let pending = this.byGroupVersion.get(apiVersion);
    if (!pending) {
      pending = this.fetch(apiVersion, signal);
      // A failed lookup must not be cached, or one blip poisons the kind for good.
      pending.catch(() => this.byGroupVersion.delete(apiVersion));
      this.byGroupVersion.set(apiVersion, pending);
    }
    return pending;
  }

  /** Registers a resource by hand (for fakes, or to skip a discovery round-trip). */
  register(resource: ApiResource): void {
    const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
    const current = this.byGroupVersion.get(apiVersion) ?? Promise.resolve([]);
    this.byGroupVersion.set(
      apiVersion,
      current.then((list) => [...list.filter((r) => r.kind !== resource.kind), resource]),
    );
  }

  /** Forgets the cached answer of one group-version, or of all. */
  invalidate(apiVersion?: string): void {
    if (apiVersion === undefined) this.byGroupVersion.clear();
    else this.byGroupVersion.delete(apiVersion);
  }

  private async fetch(apiVersion: string, signal?: AbortSignal): Promise<ApiResource[]> {
    const { group, version } = parseApiVersion(apiVersion);
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    const res = await this.transport.request({ method: 'GET', path, ...(signal ? { signal } : {}) });
    if (res.status === 404) return [];
    if (res.status !== 200) {
      throw errorFromResponse(
        { verb: 'discover', resource: apiVersion },
        res.status,
        res.body,
        res.header('retry-after'),
      );
    }
    const list = (res.body as ApiResourceListBody).resources ?? [];
    const subresources = new Map<string, string[]>();
    for (const r of list) {
      const [base, sub] = r.name.split('/');
      if (base !== undefined && sub !== undefined)
        subresources.set(base, [...(subresources.get(base) ?? []), sub]);
    }
    return list
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({
        group,
        version,
        kind: r.kind,
        name: r.name,
        namespaced: r.namespaced,
        verbs: r.verbs ?? [],
        subresources: subresources.get(r.name) ?? [],
      }));
  }
}
