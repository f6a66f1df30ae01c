// PodMonitor: "scrape the Pods that match this selector", no Service needed.
import type {
  BasicAuth,
  LabelSelector,
  MonitoringObject,
  NamespaceSelector,
  RelabelConfig,
  SafeAuthorization,
  SafeTLSConfig,
  Scheme,
  SecretKeySelector,
} from './common.js';

/** One scrapeable container port of the selected Pods. */
export interface PodMetricsEndpoint {
  /** Name of the container port; wins over `portNumber` and `targetPort`. */
  port?: string;
  /** Number of the container port. */
  portNumber?: number;
  /** @deprecated use `port` or `portNumber`. */
  targetPort?: string | number;
  path?: string;
  scheme?: Scheme;
  params?: Record<string, string[]>;
  interval?: string;
  scrapeTimeout?: string;
  tlsConfig?: SafeTLSConfig;
  /** @deprecated use `authorization`. */
  bearerTokenSecret?: SecretKeySelector;
  authorization?: SafeAuthorization;
  basicAuth?: BasicAuth;
  honorLabels?: boolean;
  honorTimestamps?: boolean;
  followRedirects?: boolean;
  enableHttp2?: boolean;
  filterRunning?: boolean;
  relabelings?: RelabelConfig[];
  metricRelabelings?: RelabelConfig[];
}

/** The spec of a {@link PodMonitor}. */
export interface PodMonitorSpec {
  /** Pod label whose value becomes the `job` label; `<namespace>/<name>` otherwise. */
  jobLabel?: string;
  podTargetLabels?: string[];
  podMetricsEndpoints: PodMetricsEndpoint[];
  selector: LabelSelector;
  namespaceSelector?: NamespaceSelector;
  sampleLimit?: number;
  targetLimit?: number;
}

/** A monitoring.coreos.com/v1 PodMonitor. */
export type PodMonitor = MonitoringObject<PodMonitorSpec>;
