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
export { monitoringCrds, monitoringResources } from './crd/crds.js';
export { operator } from './operator.js';
export {
  generatePrometheusConfig,
  AssetStore,
  MissingAssetError,
  selectForPrometheus,
  selectorMatches,
  selectorString,
  toYaml,
} from './config/index.js';
export type {
  PrometheusConfigInputs,
  GeneratedPrometheusConfig,
  RejectedResource,
  AssetSources,
  NamespaceLabels,
} from './config/index.js';
export { addPrometheusController, PROMETHEUS_CONTROLLER_NAME } from './controller/prometheus-controller.js';
export type { PrometheusControllerOptions } from './controller/prometheus-controller.js';
export {
  addAlertmanagerController,
  ALERTMANAGER_CONTROLLER_NAME,
} from './controller/alertmanager-controller.js';
export type { AlertmanagerControllerOptions } from './controller/alertmanager-controller.js';
export { reconcilePrometheus } from './controller/prometheus-reconciler.js';
export type { PrometheusReconcilerOptions } from './controller/prometheus-reconciler.js';
export { reconcileAlertmanager } from './controller/alertmanager-reconciler.js';
export type { AlertmanagerReconcilerOptions } from './controller/alertmanager-reconciler.js';
export {
  DEFAULT_IMAGES,
  DEFAULT_PROMETHEUS_VERSION,
  DEFAULT_ALERTMANAGER_VERSION,
} from './resources/images.js';
export type { ImageSettings } from './resources/images.js';
export type { ReconcileResult } from './resources/workload-status.js';
