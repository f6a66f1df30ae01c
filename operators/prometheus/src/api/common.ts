// Field shapes shared by the monitoring.coreos.com/v1 kinds. Names and JSON
// spellings follow prometheus-operator's API so existing manifests apply
// unchanged; only the subset this operator acts on is declared.
import type { KubeObject } from '@switchboard/core';

/** The API group and version of every kind in this package. */
export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';
/** The API group alone, as CRDs and RBAC rules name it. */
export const MONITORING_GROUP = 'monitoring.coreos.com';

/** A set-based label requirement (metav1.LabelSelectorRequirement). */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/**
 * A label selector (metav1.LabelSelector). In a Prometheus spec, an absent
 * selector selects nothing and an empty one (`{}`) selects everything.
 */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** Names one key of a Secret in the referencing object's namespace. */
export interface SecretKeySelector {
  name: string;
  key: string;
  optional?: boolean;
}

/** Names one key of a ConfigMap in the referencing object's namespace. */
export interface ConfigMapKeySelector {
  name: string;
  key: string;
  optional?: boolean;
}

/** Either a Secret key or a ConfigMap key holding a PEM file. */
export interface SecretOrConfigMap {
  secret?: SecretKeySelector;
  configMap?: ConfigMapKeySelector;
}

/**
 * Which namespaces a monitor's targets are discovered in. Absent or empty:
 * the monitor's own namespace; `any: true`: every namespace.
 */
export interface NamespaceSelector {
  any?: boolean;
  matchNames?: string[];
}

/** TLS settings whose files come from Secrets or ConfigMaps. */
export interface SafeTLSConfig {
  ca?: SecretOrConfigMap;
  cert?: SecretOrConfigMap;
  keySecret?: SecretKeySelector;
  serverName?: string;
  insecureSkipVerify?: boolean;
}

/** {@link SafeTLSConfig} plus paths to files already in the Prometheus container. */
export interface TLSConfig extends SafeTLSConfig {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** HTTP basic authentication with both parts read from Secrets. */
export interface BasicAuth {
  username?: SecretKeySelector;
  password?: SecretKeySelector;
}

/** An `Authorization` header: a type (default `Bearer`) and credentials from a Secret. */
export interface SafeAuthorization {
  type?: string;
  credentials?: SecretKeySelector;
}

/** One relabeling step, spelled as in prometheus-operator (camelCase). */
export interface RelabelConfig {
  sourceLabels?: string[];
  separator?: string;
  targetLabel?: string;
  regex?: string;
  modulus?: number;
  replacement?: string;
  action?: string;
}

/** The scheme a target is scraped with. */
export type Scheme = 'http' | 'https' | 'HTTP' | 'HTTPS';

/** Either the service-discovery role of endpoints or of endpoint slices. */
export type ServiceDiscoveryRole = 'Endpoints' | 'EndpointSlice';

/**
 * metav1.Condition as the status of these kinds carries it. As in the
 * reference, `Available` may also be `Degraded` (some replicas ready).
 */
export interface MonitoringCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | 'Degraded';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

/** A namespaced object of this API group with a typed spec and status. */
export interface MonitoringObject<Spec, Status = never> extends KubeObject {
  spec: Spec;
  status?: Status;
}
