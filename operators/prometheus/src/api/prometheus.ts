// Prometheus: a desired Prometheus server and what it should scrape, evaluate
// and send alerts to.
import type {
  BasicAuth,
  LabelSelector,
  MonitoringCondition,
  MonitoringObject,
  RelabelConfig,
  SafeAuthorization,
  Scheme,
  ServiceDiscoveryRole,
  TLSConfig,
} from './common.js';
import type { ResourceRequirements, StorageSpec, WorkloadStatus } from './workload.js';

/** One Alertmanager, found through the endpoints of a Service. */
export interface AlertmanagerEndpoints {
  /** Namespace of the Service; the Prometheus's namespace if absent. */
  namespace?: string;
  /** Name of the Service. */
  name: string;
  /** Service port name or container port number. */
  port: string | number;
  scheme?: Scheme;
  pathPrefix?: string;
  apiVersion?: 'v1' | 'v2' | 'V1' | 'V2';
  timeout?: string;
  tlsConfig?: TLSConfig;
  basicAuth?: BasicAuth;
  authorization?: SafeAuthorization;
  /** @deprecated use `authorization`. */
  bearerTokenFile?: string;
  relabelings?: RelabelConfig[];
}

/** Where Prometheus sends alerts. */
export interface AlertingSpec {
  alertmanagers: AlertmanagerEndpoints[];
}

/** One remote-write destination. */
export interface RemoteWriteSpec {
  url: string;
  name?: string;
  remoteTimeout?: string;
  headers?: Record<string, string>;
  writeRelabelConfigs?: RelabelConfig[];
  basicAuth?: BasicAuth;
  authorization?: SafeAuthorization;
  /** @deprecated use `authorization`. */
  bearerTokenFile?: string;
  tlsConfig?: TLSConfig;
}

/** The spec of a {@link Prometheus}. */
export interface PrometheusSpec {
  replicas?: number;
  /** Prometheus version, e.g. `v3.5.0`; used for the default image tag. */
  version?: string;
  /** Full image reference; wins over `version`. */
  image?: string;
  serviceMonitorSelector?: LabelSelector;
  serviceMonitorNamespaceSelector?: LabelSelector;
  podMonitorSelector?: LabelSelector;
  podMonitorNamespaceSelector?: LabelSelector;
  ruleSelector?: LabelSelector;
  ruleNamespaceSelector?: LabelSelector;
  /** Default `30s`. */
  scrapeInterval?: string;
  scrapeTimeout?: string;
  /** Default `30s`. */
  evaluationInterval?: string;
  externalLabels?: Record<string, string>;
  /** Name of the label carrying `<namespace>/<name>`; default `prometheus`, empty to drop. */
  prometheusExternalLabelName?: string;
  /** Name of the label carrying the pod name; default `prometheus_replica`, empty to drop. */
  replicaExternalLabelName?: string;
  /** Time to keep data; default `24h`. */
  retention?: string;
  retentionSize?: string;
  storage?: StorageSpec;
  resources?: ResourceRequirements;
  alerting?: AlertingSpec;
  remoteWrite?: RemoteWriteSpec[];
  serviceAccountName?: string;
  /** When true, the operator leaves the generated objects alone. */
  paused?: boolean;
  /** Pod labels copied onto the targets of every monitor. */
  podTargetLabels?: string[];
  serviceDiscoveryRole?: ServiceDiscoveryRole;
  /** Full external URL Prometheus is reachable at. */
  externalUrl?: string;
  nodeSelector?: Record<string, string>;
}

/** The status of a {@link Prometheus}. */
export interface PrometheusStatus extends WorkloadStatus {
  conditions?: MonitoringCondition[];
}

/** A monitoring.coreos.com/v1 Prometheus. */
export type Prometheus = MonitoringObject<PrometheusSpec, PrometheusStatus>;
