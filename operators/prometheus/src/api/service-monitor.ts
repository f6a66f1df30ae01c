// ServiceMonitor: "scrape the endpoints of Services that match this selector".
import type {
  BasicAuth,
  LabelSelector,
  MonitoringObject,
  NamespaceSelector,
  RelabelConfig,
  SafeAuthorization,
  Scheme,
  SecretKeySelector,
  ServiceDiscoveryRole,
  TLSConfig,
} from './common.js';

/** One scrapeable port of the selected Services (prometheus-operator's `Endpoint`). */
export interface Endpoint {
  /** Name of the Service port; wins over `targetPort`. */
  port?: string;
  /** Name or number of the Pod's container port. */
  targetPort?: string | number;
  /** HTTP path to scrape; Prometheus defaults to `/metrics`. */
  path?: string;
  scheme?: Scheme;
  /** URL query parameters. */
  params?: Record<string, string[]>;
  /** Scrape interval, e.g. `30s`; the Prometheus's `scrapeInterval` if absent. */
  interval?: string;
  scrapeTimeout?: string;
  tlsConfig?: TLSConfig;
  /** @deprecated use `authorization` (kept for manifests written for the reference). */
  bearerTokenFile?: string;
  /** @deprecated use `authorization`. */
  bearerTokenSecret?: SecretKeySelector;
  authorization?: SafeAuthorization;
  basicAuth?: BasicAuth;
  honorLabels?: boolean;
  honorTimestamps?: boolean;
  followRedirects?: boolean;
  enableHttp2?: boolean;
  /** Drop targets whose Pod has finished (default true). */
  filterRunning?: boolean;
  relabelings?: RelabelConfig[];
  metricRelabelings?: RelabelConfig[];
}

/** The spec of a {@link ServiceMonitor}. */
export interface ServiceMonitorSpec {
  /** Service label whose value becomes the `job` label; the Service name otherwise. */
  jobLabel?: string;
  /** Service labels copied onto every target. */
  targetLabels?: string[];
  /** Pod labels copied onto every target. */
  podTargetLabels?: string[];
  endpoints: Endpoint[];
  selector: LabelSelector;
  namespaceSelector?: NamespaceSelector;
  sampleLimit?: number;
  targetLimit?: number;
  serviceDiscoveryRole?: ServiceDiscoveryRole;
}

/** A monitoring.coreos.com/v1 ServiceMonitor. */
export type ServiceMonitor = MonitoringObject<ServiceMonitorSpec>;
