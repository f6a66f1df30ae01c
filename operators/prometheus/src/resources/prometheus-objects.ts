// The other objects generated for a Prometheus: the config Secret (gzipped,
// as the reference stores it), the TLS assets Secret, the rule ConfigMaps and
// the governing Service `prometheus-operated`.
import { gzipSync } from 'node:zlib';
import type { Prometheus } from '../api/index.js';
import type { RuleConfigMapContent } from '../rules/index.js';
import type { ConfigMap, Secret, Service } from './kube-types.js';
import { governingServiceName, managedLabels, ownerReference } from './labels.js';
import {
  CONFIG_KEY,
  configSecretName,
  PROMETHEUS_PORT,
  tlsAssetsSecretName,
} from './prometheus-statefulset.js';

function metaFor(prometheus: Prometheus, name: string): Secret['metadata'] {
  const owner = prometheus.metadata.name ?? '';
  return {
    name,
    namespace: prometheus.metadata.namespace ?? '',
    labels: managedLabels('Prometheus', owner),
    ownerReferences: [ownerReference('Prometheus', prometheus)],
  };
}

/**
 * The config Secret. gzip's header carries no time here (Node writes
 * mtime 0), so equal configs give equal bytes and an unchanged config is
 * never rewritten.
 */
export function configSecret(prometheus: Prometheus, configYaml: string): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metaFor(prometheus, configSecretName(prometheus.metadata.name ?? '')),
    type: 'Opaque',
    data: { [CONFIG_KEY]: gzipSync(configYaml, { level: 9 }).toString('base64') },
  };
}

/** The Secret of TLS files referenced by the config (always created, so the volume mounts). */
export function tlsAssetsSecret(prometheus: Prometheus, assets: Readonly<Record<string, string>>): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metaFor(prometheus, tlsAssetsSecretName(prometheus.metadata.name ?? '')),
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(assets).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/** Labels that find a Prometheus's rule ConfigMaps (for pruning extra ones). */
export function ruleConfigMapLabels(prometheusName: string): Record<string, string> {
  return { ...managedLabels('Prometheus', prometheusName), 'prometheus-name': prometheusName };
}

/** One rule ConfigMap. */
export function ruleConfigMap(prometheus: Prometheus, content: RuleConfigMapContent): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      ...metaFor(prometheus, content.name),
      labels: ruleConfigMapLabels(prometheus.metadata.name ?? ''),
    },
    data: content.data,
  };
}

/**
 * The headless Service `prometheus-operated` that gives each Prometheus pod a
 * stable DNS name. Shared by all Prometheuses of a namespace; each adds
 * itself as a (non-controller) owner so it goes away with the last one.
 */
export function prometheusGoverningService(prometheus: Prometheus): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: governingServiceName('Prometheus'),
      namespace: prometheus.metadata.namespace ?? '',
      labels: { 'operated-prometheus': 'true', 'app.kubernetes.io/managed-by': 'prometheus-operator' },
      ownerReferences: [ownerReference('Prometheus', prometheus, false)],
    },
    spec: {
      clusterIP: 'None',
      selector: { 'app.kubernetes.io/name': 'prometheus' },
      ports: [{ name: 'web', port: PROMETHEUS_PORT, targetPort: 'web', protocol: 'TCP' }],
    },
  };
}
