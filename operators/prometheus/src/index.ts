// @switchboard/prometheus-operator: a Prometheus operator compatible with
// prometheus-operator's monitoring.coreos.com/v1 API, built on
// @switchboard/core. The library surface: API types, CRDs and config
// generation; the `prometheus-operator` binary runs the controllers.
export { MONITORING_API_VERSION, MONITORING_GROUP } from './api/index.js';
export type {
  Prometheus,
  PrometheusSpec,
  PrometheusStatus,
  ServiceMonitor,
  ServiceMonitorSpec,
  Endpoint,
  PodMonitor,
  PodMonitorSpec,
  PodMetricsEndpoint,
  PrometheusRule,
  PrometheusRuleSpec,
  PrometheusRuleStatus,
  RuleGroup,
  Rule,
  Alertmanager,
  AlertmanagerSpec,
  AlertmanagerStatus,
  AlertingSpec,
  AlertmanagerEndpoints,
  RemoteWriteSpec,
  LabelSelector,
  SecretKeySelector,
  NamespaceSelector,
  RelabelConfig,
  MonitoringCondition,
} from './api/index.js';
export { monitoringCrds } from './crd/crds.js';
export type { CustomResourceDefinition } from './crd/crds.js';
export {
  generatePrometheusConfig,
  AssetStore,
  MissingAssetError,
  selectForPrometheus,
  selectorMatches,
  selectorString,
  toYaml,
} from './config/index.js';
export type { PrometheusConfigInputs, GeneratedPrometheusConfig, RejectedResource, AssetSources, NamespaceLabels } from './config/index.js';
