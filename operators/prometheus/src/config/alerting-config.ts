// The `alerting` and `remote_write` sections of a Prometheus config.
import type { AlertmanagerEndpoints, Prometheus, RemoteWriteSpec } from '../api/index.js';
import type { AssetStore } from './asset-store.js';
import { authorization, basicAuth, tlsConfig } from './http-client.js';
import { endpointRole, kubernetesSdConfigs } from './kubernetes-sd.js';
import { renderRelabelConfigs } from './relabel.js';
import type { YamlMap } from './yaml-value.js';

/** The default name of the external label holding the replica (pod) name. */
export const DEFAULT_REPLICA_LABEL = 'prometheus_replica';

/**
 * `alerting`, or undefined without `spec.alerting`. The replica label is
 * dropped from alerts so that the replicas' copies of one alert deduplicate
 * in Alertmanager.
 */
export function alertingSection(prometheus: Prometheus, assets: AssetStore): YamlMap | undefined {
  const alerting = prometheus.spec.alerting;
  if (alerting === undefined) return undefined;
  const namespace = prometheus.metadata.namespace ?? '';
  const replicaLabel = prometheus.spec.replicaExternalLabelName ?? DEFAULT_REPLICA_LABEL;
  const alertRelabel: YamlMap[] =
    replicaLabel === '' ? [] : [{ action: 'labeldrop', regex: escapeRegex(replicaLabel) }];
  return {
    alert_relabel_configs: alertRelabel,
    alertmanagers: alerting.alertmanagers.map((am) => alertmanagerConfig(am, prometheus, namespace, assets)),
  };
}

function alertmanagerConfig(
  am: AlertmanagerEndpoints,
  prometheus: Prometheus,
  namespace: string,
  assets: AssetStore,
): YamlMap {
  const role = endpointRole(prometheus.spec.serviceDiscoveryRole);
  const cfg: YamlMap = {};
  if (am.scheme !== undefined) cfg['scheme'] = am.scheme.toLowerCase();
  if (am.pathPrefix !== undefined) cfg['path_prefix'] = am.pathPrefix;
  if (am.timeout !== undefined) cfg['timeout'] = am.timeout;
  if (am.tlsConfig !== undefined) cfg['tls_config'] = tlsConfig(am.tlsConfig, namespace, assets);
  cfg['kubernetes_sd_configs'] = kubernetesSdConfigs({ role, namespaces: [am.namespace ?? namespace] });
  if (am.bearerTokenFile !== undefined && am.bearerTokenFile !== '')
    cfg['bearer_token_file'] = am.bearerTokenFile;
  if (am.basicAuth !== undefined) cfg['basic_auth'] = basicAuth(am.basicAuth, namespace, assets);
  if (am.authorization !== undefined)
    cfg['authorization'] = authorization(am.authorization, namespace, assets);
  // Prometheus 3 speaks only v2 of the Alertmanager API, which is its default.
  if (am.apiVersion !== undefined && am.apiVersion.toLowerCase() === 'v2') cfg['api_version'] = 'v2';
  const relabelings: YamlMap[] = [
    { action: 'keep', source_labels: ['__meta_kubernetes_service_name'], regex: am.name },
  ];
  if (typeof am.port === 'string' && am.port !== '') {
    const portLabel =
      role === 'endpointslice'
        ? '__meta_kubernetes_endpointslice_port_name'
        : '__meta_kubernetes_endpoint_port_name';
    relabelings.push({ action: 'keep', source_labels: [portLabel], regex: am.port });
  } else if (typeof am.port === 'number' && am.port !== 0) {
    relabelings.push({
      action: 'keep',
      source_labels: ['__meta_kubernetes_pod_container_port_number'],
      regex: String(am.port),
    });
  }
  relabelings.push(...renderRelabelConfigs(am.relabelings));
  cfg['relabel_configs'] = relabelings;
  return cfg;
}

/** `remote_write`, or undefined when the spec has none. */
export function remoteWriteSection(prometheus: Prometheus, assets: AssetStore): YamlMap[] | undefined {
  const specs = prometheus.spec.remoteWrite ?? [];
  if (specs.length === 0) return undefined;
  const namespace = prometheus.metadata.namespace ?? '';
  return specs.map((rw) => remoteWriteConfig(rw, namespace, assets));
}

function remoteWriteConfig(rw: RemoteWriteSpec, namespace: string, assets: AssetStore): YamlMap {
  const cfg: YamlMap = { url: rw.url };
  if (rw.remoteTimeout !== undefined) cfg['remote_timeout'] = rw.remoteTimeout;
  if (rw.headers !== undefined && Object.keys(rw.headers).length > 0) {
    cfg['headers'] = Object.fromEntries(
      Object.keys(rw.headers)
        .sort()
        .map((k) => [k, rw.headers![k]!]),
    );
  }
  if (rw.name !== undefined && rw.name !== '') cfg['name'] = rw.name;
  const relabel = renderRelabelConfigs(rw.writeRelabelConfigs);
  if (relabel.length > 0) cfg['write_relabel_configs'] = relabel;
  if (rw.basicAuth !== undefined) cfg['basic_auth'] = basicAuth(rw.basicAuth, namespace, assets);
  if (rw.bearerTokenFile !== undefined && rw.bearerTokenFile !== '')
    cfg['bearer_token_file'] = rw.bearerTokenFile;
  if (rw.tlsConfig !== undefined) cfg['tls_config'] = tlsConfig(rw.tlsConfig, namespace, assets);
  if (rw.authorization !== undefined)
    cfg['authorization'] = authorization(rw.authorization, namespace, assets);
  return cfg;
}

/** Go's regexp.QuoteMeta. */
function escapeRegex(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
