// kubernetes_sd_configs entries: which role and which namespaces a job
// discovers targets in.
import type { NamespaceSelector, ServiceDiscoveryRole } from '../api/index.js';
import type { YamlMap } from './yaml-value.js';

/** Prometheus's role name for a spec's discovery role (`Endpoints` by default). */
export function endpointRole(role: ServiceDiscoveryRole | undefined): 'endpoints' | 'endpointslice' {
  return role === 'EndpointSlice' ? 'endpointslice' : 'endpoints';
}

/**
 * The namespaces a monitor discovers in: its own when the selector is empty,
 * all (`[]`) with `any: true`, otherwise the listed ones.
 */
export function discoveryNamespaces(selector: NamespaceSelector | undefined, ownNamespace: string): string[] {
  if (selector?.any === true) return [];
  if (selector?.matchNames === undefined || selector.matchNames.length === 0) return [ownNamespace];
  return selector.matchNames;
}

/** Options of {@link kubernetesSdConfigs}. */
export interface KubernetesSdOptions {
  role: 'endpoints' | 'endpointslice' | 'pod';
  /** Namespaces to watch; empty for all. */
  namespaces: string[];
}

/** A `kubernetes_sd_configs` list with one entry. */
export function kubernetesSdConfigs(opts: KubernetesSdOptions): YamlMap[] {
  const sd: YamlMap = { role: opts.role };
  if (opts.namespaces.length > 0) sd['namespaces'] = { names: opts.namespaces };
  return [sd];
}
