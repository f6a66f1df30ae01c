// Prometheus configuration generation: from a Prometheus and the monitors it
// selects to prometheus.yaml. Pure functions over plain objects; the
// controller reads the cluster and writes the result.
export {
  generatePrometheusConfig,
  globalSection,
  RULES_DIR,
  DEFAULT_INTERVAL,
  DEFAULT_PROMETHEUS_LABEL,
} from './prometheus-config.js';
export type {
  PrometheusConfigInputs,
  GeneratedPrometheusConfig,
  RejectedResource,
} from './prometheus-config.js';
export { AssetStore, MissingAssetError, TLS_ASSETS_DIR } from './asset-store.js';
export type { AssetSources, AssetData } from './asset-store.js';
export { selectForPrometheus, selectorsFor } from './selection.js';
export type { NamespaceLabels, SelectedKind } from './selection.js';
export { selectorString, selectorMatches } from './label-selector.js';
export { toYaml } from './yaml.js';
