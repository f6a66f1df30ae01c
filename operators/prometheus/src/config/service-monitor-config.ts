// ServiceMonitor -> scrape configs: one job per endpoint, named
// `serviceMonitor/<namespace>/<name>/<index>`, with prometheus-operator's
// relabeling order: keep by Service selector, keep by port, then node / pod /
// namespace / service / pod / container labels, drop finished Pods,
// targetLabels, podTargetLabels, job (Service name, then jobLabel), endpoint,
// and last the user's relabelings.
import type { Endpoint, ServiceDiscoveryRole, ServiceMonitor } from '../api/index.js';
import type { AssetStore } from './asset-store.js';
import { authorization, basicAuth, bearerToken, tlsConfig } from './http-client.js';
import { discoveryNamespaces, endpointRole, kubernetesSdConfigs } from './kubernetes-sd.js';
import {
  copyLabel,
  initialRelabelings,
  renderRelabelConfigs,
  runningFilter,
  selectorRelabelings,
} from './relabel.js';
import { addScrapeSettings, addLimits } from './scrape-settings.js';
import type { YamlMap } from './yaml-value.js';

/** What a Prometheus contributes to every ServiceMonitor job. */
export interface MonitorContext {
  assets: AssetStore;
  /** The Prometheus's `podTargetLabels`, appended to each monitor's own. */
  podTargetLabels: readonly string[];
  /** The Prometheus's default discovery role. */
  serviceDiscoveryRole?: ServiceDiscoveryRole;
}

/**
 * The scrape configs of one ServiceMonitor, one per endpoint.
 *
 * @throws MissingAssetError when a referenced Secret key is absent; the
 * caller rejects the whole monitor rather than scrape it half-configured.
 */
export function serviceMonitorScrapeConfigs(monitor: ServiceMonitor, ctx: MonitorContext): YamlMap[] {
  return monitor.spec.endpoints.map((ep, i) => endpointScrapeConfig(monitor, ep, i, ctx));
}

function endpointScrapeConfig(
  monitor: ServiceMonitor,
  ep: Endpoint,
  index: number,
  ctx: MonitorContext,
): YamlMap {
  const namespace = monitor.metadata.namespace ?? '';
  const spec = monitor.spec;
  const role = endpointRole(spec.serviceDiscoveryRole ?? ctx.serviceDiscoveryRole);
  const cfg: YamlMap = { job_name: `serviceMonitor/${namespace}/${monitor.metadata.name ?? ''}/${index}` };
  cfg['honor_labels'] = ep.honorLabels ?? false;
  if (ep.honorTimestamps !== undefined) cfg['honor_timestamps'] = ep.honorTimestamps;
  cfg['kubernetes_sd_configs'] = kubernetesSdConfigs({
    role,
    namespaces: discoveryNamespaces(spec.namespaceSelector, namespace),
  });
  addScrapeSettings(cfg, ep);
  if (ep.tlsConfig !== undefined) cfg['tls_config'] = tlsConfig(ep.tlsConfig, namespace, ctx.assets);
  if (ep.bearerTokenFile !== undefined && ep.bearerTokenFile !== '')
    cfg['bearer_token_file'] = ep.bearerTokenFile;
  const token = bearerToken(ep.bearerTokenSecret, namespace, ctx.assets);
  if (token !== undefined) cfg['bearer_token'] = token;
  if (ep.basicAuth !== undefined) cfg['basic_auth'] = basicAuth(ep.basicAuth, namespace, ctx.assets);
  if (ep.authorization !== undefined)
    cfg['authorization'] = authorization(ep.authorization, namespace, ctx.assets);

  const relabelings = [...initialRelabelings(), ...selectorRelabelings(spec.selector, 'service')];
  const portName = ep.port ?? '';
  const targetPort = ep.targetPort === undefined ? '' : String(ep.targetPort);
  if (portName !== '') {
    const portLabel =
      role === 'endpointslice'
        ? '__meta_kubernetes_endpointslice_port_name'
        : '__meta_kubernetes_endpoint_port_name';
    relabelings.push({ action: 'keep', source_labels: [portLabel], regex: portName });
  } else if (typeof ep.targetPort === 'string' && ep.targetPort !== '') {
    relabelings.push({
      action: 'keep',
      source_labels: ['__meta_kubernetes_pod_container_port_name'],
      regex: ep.targetPort,
    });
  } else if (typeof ep.targetPort === 'number' && ep.targetPort !== 0) {
    relabelings.push({
      action: 'keep',
      source_labels: ['__meta_kubernetes_pod_container_port_number'],
      regex: String(ep.targetPort),
    });
  }

  const prefix = role === 'endpointslice' ? '__meta_kubernetes_endpointslice' : '__meta_kubernetes_endpoint';
  const addressTarget = [`${prefix}_address_target_kind`, `${prefix}_address_target_name`];
  relabelings.push(
    {
      source_labels: addressTarget,
      separator: ';',
      regex: 'Node;(.*)',
      replacement: '${1}',
      target_label: 'node',
    },
    {
      source_labels: addressTarget,
      separator: ';',
      regex: 'Pod;(.*)',
      replacement: '${1}',
      target_label: 'pod',
    },
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
  );
  if (ep.filterRunning ?? true) relabelings.push(runningFilter());
  for (const l of spec.targetLabels ?? []) relabelings.push(copyLabel('service', l));
  for (const l of [...(spec.podTargetLabels ?? []), ...ctx.podTargetLabels])
    relabelings.push(copyLabel('pod', l));
  // The Service name is the job unless jobLabel names a label that is set.
  relabelings.push({
    source_labels: ['__meta_kubernetes_service_name'],
    target_label: 'job',
    replacement: '${1}',
  });
  if (spec.jobLabel !== undefined && spec.jobLabel !== '') {
    relabelings.push({ ...copyLabel('service', spec.jobLabel), target_label: 'job' });
  }
  if (portName !== '') relabelings.push({ target_label: 'endpoint', replacement: portName });
  else if (targetPort !== '') relabelings.push({ target_label: 'endpoint', replacement: targetPort });
  relabelings.push(...renderRelabelConfigs(ep.relabelings));
  cfg['relabel_configs'] = relabelings;

  addLimits(cfg, spec);
  if (ep.metricRelabelings !== undefined && ep.metricRelabelings.length > 0) {
    cfg['metric_relabel_configs'] = renderRelabelConfigs(ep.metricRelabelings);
  }
  return cfg;
}
