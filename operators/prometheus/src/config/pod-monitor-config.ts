// PodMonitor -> scrape configs: one job per endpoint, named
// `podMonitor/<namespace>/<name>/<index>`, discovered with role `pod`, with
// prometheus-operator's relabeling order: drop finished Pods, keep by Pod
// selector, keep by port, namespace / container / pod labels, podTargetLabels,
// job (`<namespace>/<name>`, then jobLabel), endpoint, user relabelings.
import type { PodMetricsEndpoint, PodMonitor } from '../api/index.js';
import { authorization, basicAuth, bearerToken, tlsConfig } from './http-client.js';
import { discoveryNamespaces, kubernetesSdConfigs } from './kubernetes-sd.js';
import {
  copyLabel,
  initialRelabelings,
  renderRelabelConfigs,
  runningFilter,
  selectorRelabelings,
} from './relabel.js';
import { addLimits, addScrapeSettings } from './scrape-settings.js';
import type { MonitorContext } from './service-monitor-config.js';
import type { YamlMap } from './yaml-value.js';

/**
 * The scrape configs of one PodMonitor, one per endpoint.
 *
 * @throws MissingAssetError when a referenced Secret key is absent.
 */
export function podMonitorScrapeConfigs(monitor: PodMonitor, ctx: MonitorContext): YamlMap[] {
  return monitor.spec.podMetricsEndpoints.map((ep, i) => endpointScrapeConfig(monitor, ep, i, ctx));
}

function endpointScrapeConfig(
  monitor: PodMonitor,
  ep: PodMetricsEndpoint,
  index: number,
  ctx: MonitorContext,
): YamlMap {
  const namespace = monitor.metadata.namespace ?? '';
  const name = monitor.metadata.name ?? '';
  const spec = monitor.spec;
  const cfg: YamlMap = { job_name: `podMonitor/${namespace}/${name}/${index}` };
  cfg['honor_labels'] = ep.honorLabels ?? false;
  if (ep.honorTimestamps !== undefined) cfg['honor_timestamps'] = ep.honorTimestamps;
  cfg['kubernetes_sd_configs'] = kubernetesSdConfigs({
    role: 'pod',
    namespaces: discoveryNamespaces(spec.namespaceSelector, namespace),
  });
  addScrapeSettings(cfg, ep);
  if (ep.tlsConfig !== undefined) cfg['tls_config'] = tlsConfig(ep.tlsConfig, namespace, ctx.assets);
  const token = bearerToken(ep.bearerTokenSecret, namespace, ctx.assets);
  if (token !== undefined) cfg['bearer_token'] = token;
  if (ep.basicAuth !== undefined) cfg['basic_auth'] = basicAuth(ep.basicAuth, namespace, ctx.assets);
  if (ep.authorization !== undefined)
    cfg['authorization'] = authorization(ep.authorization, namespace, ctx.assets);

  const relabelings = initialRelabelings();
  if (ep.filterRunning ?? true) relabelings.push(runningFilter());
  relabelings.push(...selectorRelabelings(spec.selector, 'pod'));
  const portName = ep.port ?? '';
  const legacyPort = ep.targetPort === undefined ? '' : String(ep.targetPort);
  if (portName !== '') {
    relabelings.push({
      action: 'keep',
      source_labels: ['__meta_kubernetes_pod_container_port_name'],
      regex: portName,
    });
  } else if (ep.portNumber !== undefined && ep.portNumber !== 0) {
    relabelings.push({
      action: 'keep',
      source_labels: ['__meta_kubernetes_pod_container_port_number'],
      regex: String(ep.portNumber),
    });
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
  relabelings.push(
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
  );
  for (const l of [...(spec.podTargetLabels ?? []), ...ctx.podTargetLabels])
    relabelings.push(copyLabel('pod', l));
  relabelings.push({ target_label: 'job', replacement: `${namespace}/${name}` });
  if (spec.jobLabel !== undefined && spec.jobLabel !== '') {
    relabelings.push({ ...copyLabel('pod', spec.jobLabel), target_label: 'job' });
  }
  if (portName !== '') relabelings.push({ target_label: 'endpoint', replacement: portName });
  else if (legacyPort !== '') relabelings.push({ target_label: 'endpoint', replacement: legacyPort });
  relabelings.push(...renderRelabelConfigs(ep.relabelings));
  cfg['relabel_configs'] = relabelings;

  addLimits(cfg, spec);
  if (ep.metricRelabelings !== undefined && ep.metricRelabelings.length > 0) {
    cfg['metric_relabel_configs'] = renderRelabelConfigs(ep.metricRelabelings);
  }
  return cfg;
}
