// The monitoring.coreos.com/v1 API as this operator reads it: TypeScript
// shapes of Prometheus, ServiceMonitor, PodMonitor, PrometheusRule and
// Alertmanager. The CRDs in ../crd describe the same fields to the API server.
export { MONITORING_API_VERSION, MONITORING_GROUP } from './common.js';
export type {
  LabelSelector,
  LabelSelectorRequirement,
  SecretKeySelector,
  ConfigMapKeySelector,
  SecretOrConfigMap,
  NamespaceSelector,
  SafeTLSConfig,
  TLSConfig,
  BasicAuth,
  SafeAuthorization,
  RelabelConfig,
  Scheme,
  ServiceDiscoveryRole,
  MonitoringCondition,
  MonitoringObject,
} from './common.js';
export type {
  ResourceRequirements,
  StorageSpec,
  EmbeddedPersistentVolumeClaim,
  PersistentVolumeClaimSpec,
  WorkloadStatus,
} from './workload.js';
export type { ServiceMonitor, ServiceMonitorSpec, Endpoint } from './service-monitor.js';
export type { PodMonitor, PodMonitorSpec, PodMetricsEndpoint } from './pod-monitor.js';
export type {
  PrometheusRule,
  PrometheusRuleSpec,
  PrometheusRuleStatus,
  RuleGroup,
  Rule,
} from './prometheus-rule.js';
export type {
  Prometheus,
  PrometheusSpec,
  PrometheusStatus,
  AlertingSpec,
  AlertmanagerEndpoints,
  RemoteWriteSpec,
} from './prometheus.js';
export type { Alertmanager, AlertmanagerSpec, AlertmanagerStatus } from './alertmanager.js';
