// The whole prometheus.yaml for one Prometheus: global settings, rule files,
// one scrape job per monitor endpoint, alerting and remote write. Pure: the
// caller selects the monitors and reads the Secrets beforehand, and equal
// inputs give byte-equal output, so an unchanged world never reloads.
import type { PodMonitor, Prometheus, ServiceMonitor } from '../api/index.js';
import { alertingSection, DEFAULT_REPLICA_LABEL, remoteWriteSection } from './alerting-config.js';
import { MissingAssetError } from './asset-store.js';
import type { AssetStore } from './asset-store.js';
import { podMonitorScrapeConfigs } from './pod-monitor-config.js';
import { serviceMonitorScrapeConfigs } from './service-monitor-config.js';
import type { MonitorContext } from './service-monitor-config.js';
import { toYaml } from './yaml.js';
import type { YamlMap } from './yaml-value.js';

/** Where rule ConfigMaps are mounted, one folder per ConfigMap. */
export const RULES_DIR = '/etc/prometheus/rules';
/** Default `scrapeInterval` and `evaluationInterval`. */
export const DEFAULT_INTERVAL = '30s';
/** The default name of the external label holding `<namespace>/<name>`. */
export const DEFAULT_PROMETHEUS_LABEL = 'prometheus';

/** Everything one generation run reads. */
export interface PrometheusConfigInputs {
  prometheus: Prometheus;
  /** ServiceMonitors already selected for this Prometheus, in any order. */
  serviceMonitors: readonly ServiceMonitor[];
  /** PodMonitors already selected for this Prometheus, in any order. */
  podMonitors: readonly PodMonitor[];
  /** Names of the rule ConfigMaps to load. */
  ruleConfigMapNames: readonly string[];
  /** Secrets and ConfigMaps the monitors and the spec refer to. */
  assets: AssetStore;
}

/** A monitor left out of the config, and why. */
export interface RejectedResource {
  kind: 'ServiceMonitor' | 'PodMonitor';
  namespace: string;
  name: string;
  reason: string;
  message: string;
}

/** The output of {@link generatePrometheusConfig}. */
export interface GeneratedPrometheusConfig {
  /** prometheus.yaml, with `$(POD_NAME)` left for the config reloader to expand. */
  yaml: string;
  /** Monitors that could not be translated; the rest of the config is still valid. */
  rejected: RejectedResource[];
  /** TLS files the config refers to, file name to contents. */
  tlsAssets: Record<string, string>;
}

function byKey<T extends { metadata: { namespace?: string; name?: string } }>(items: readonly T[]): T[] {
  const key = (o: T): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** `global`: intervals and external labels (the reserved ones first win). */
export function globalSection(prometheus: Prometheus): YamlMap {
  const spec = prometheus.spec;
  const labels: Record<string, string> = {};
  const promLabel = spec.prometheusExternalLabelName ?? DEFAULT_PROMETHEUS_LABEL;
  if (promLabel !== '')
    labels[promLabel] = `${prometheus.metadata.namespace ?? ''}/${prometheus.metadata.name ?? ''}`;
  const replicaLabel = spec.replicaExternalLabelName ?? DEFAULT_REPLICA_LABEL;
  if (replicaLabel !== '') labels[replicaLabel] = '$(POD_NAME)';
  for (const [k, v] of Object.entries(spec.externalLabels ?? {})) if (!(k in labels)) labels[k] = v;
  const global: YamlMap = { scrape_interval: spec.scrapeInterval ?? DEFAULT_INTERVAL };
  if (spec.scrapeTimeout !== undefined) global['scrape_timeout'] = spec.scrapeTimeout;
  global['external_labels'] = Object.fromEntries(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]!]),
  );
  global['evaluation_interval'] = spec.evaluationInterval ?? DEFAULT_INTERVAL;
  return global;
}

/**
 * Generates prometheus.yaml. A monitor whose Secrets are missing is left out
 * and reported in `rejected`, never half-translated.
 *
 * @example
 * ```ts
 * const { yaml, rejected } = generatePrometheusConfig({ prometheus, serviceMonitors, podMonitors: [], ruleConfigMapNames: [], assets: new AssetStore() });
 * ```
 */
export function generatePrometheusConfig(inputs: PrometheusConfigInputs): GeneratedPrometheusConfig {
  const { prometheus, assets } = inputs;
  const ctx: MonitorContext = {
    assets,
    podTargetLabels: prometheus.spec.podTargetLabels ?? [],
    ...(prometheus.spec.serviceDiscoveryRole === undefined
      ? {}
      : { serviceDiscoveryRole: prometheus.spec.serviceDiscoveryRole }),
  };
  const rejected: RejectedResource[] = [];
  const translate = <M extends ServiceMonitor | PodMonitor>(
    kind: RejectedResource['kind'],
    monitor: M,
    fn: (m: M, c: MonitorContext) => YamlMap[],
  ): YamlMap[] => {
    try {
      return fn(monitor, ctx);
    } catch (err) {
      if (!(err instanceof MissingAssetError)) throw err;
      rejected.push({
        kind,
        namespace: monitor.metadata.namespace ?? '',
        name: monitor.metadata.name ?? '',
        reason: err.reason,
        message: err.message,
      });
      return [];
    }
  };
  const scrapeConfigs = [
    ...byKey(inputs.serviceMonitors).flatMap((m) =>
      translate('ServiceMonitor', m, serviceMonitorScrapeConfigs),
    ),
    ...byKey(inputs.podMonitors).flatMap((m) => translate('PodMonitor', m, podMonitorScrapeConfigs)),
  ];

  const config: YamlMap = { global: globalSection(prometheus) };
  if (prometheus.spec.ruleSelector !== undefined) {
    config['rule_files'] = [...inputs.ruleConfigMapNames].sort().map((cm) => `${RULES_DIR}/${cm}/*.yaml`);
  }
  config['scrape_configs'] = scrapeConfigs;
  const alerting = alertingSection(prometheus, assets);
  if (alerting !== undefined) config['alerting'] = alerting;
  const remoteWrite = remoteWriteSection(prometheus, assets);
  if (remoteWrite !== undefined) config['remote_write'] = remoteWrite;
  return { yaml: toYaml(config), rejected, tlsAssets: assets.tlsAssets() };
}
