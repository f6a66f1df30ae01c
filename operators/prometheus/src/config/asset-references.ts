// Which Secrets and ConfigMaps a config will read, so the controller can
// fetch exactly those before the (synchronous, pure) generation runs.
import type {
  BasicAuth,
  PodMonitor,
  Prometheus,
  SafeAuthorization,
  SafeTLSConfig,
  SecretKeySelector,
  ServiceMonitor,
} from '../api/index.js';

/** A Secret or ConfigMap by namespace and name. */
export interface AssetReference {
  kind: 'Secret' | 'ConfigMap';
  namespace: string;
  name: string;
}

interface HttpAuthFields {
  tlsConfig?: SafeTLSConfig;
  basicAuth?: BasicAuth;
  authorization?: SafeAuthorization;
  bearerTokenSecret?: SecretKeySelector;
}

function fromFields(namespace: string, f: HttpAuthFields, out: AssetReference[]): void {
  const secret = (s: SecretKeySelector | undefined): void => {
    if (s !== undefined && s.name !== '') out.push({ kind: 'Secret', namespace, name: s.name });
  };
  secret(f.basicAuth?.username);
  secret(f.basicAuth?.password);
  secret(f.authorization?.credentials);
  secret(f.bearerTokenSecret);
  for (const file of [f.tlsConfig?.ca, f.tlsConfig?.cert]) {
    secret(file?.secret);
    if (file?.configMap !== undefined) out.push({ kind: 'ConfigMap', namespace, name: file.configMap.name });
  }
  secret(f.tlsConfig?.keySecret);
}

/** Every Secret and ConfigMap the config of `prometheus` with these monitors refers to, without repeats, sorted. */
export function referencedAssets(
  prometheus: Prometheus,
  serviceMonitors: readonly ServiceMonitor[],
  podMonitors: readonly PodMonitor[],
): AssetReference[] {
  const out: AssetReference[] = [];
  for (const m of serviceMonitors)
    for (const ep of m.spec.endpoints) fromFields(m.metadata.namespace ?? '', ep, out);
  for (const m of podMonitors)
    for (const ep of m.spec.podMetricsEndpoints) fromFields(m.metadata.namespace ?? '', ep, out);
  const ns = prometheus.metadata.namespace ?? '';
  for (const am of prometheus.spec.alerting?.alertmanagers ?? []) fromFields(ns, am, out);
  for (const rw of prometheus.spec.remoteWrite ?? []) fromFields(ns, rw, out);
  const seen = new Map(out.map((r) => [`${r.kind}/${r.namespace}/${r.name}`, r]));
  return [...seen.keys()].sort().map((k) => seen.get(k)!);
}
