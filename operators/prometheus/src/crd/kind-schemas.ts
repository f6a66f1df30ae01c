// The spec and status schemas of each kind, mirroring ../api/*.ts. Field
// names are prometheus-operator's; fields we do not act on are left out and
// pruned by the API server.
import {
  basicAuth,
  condition,
  duration,
  labelSelector,
  namespaceSelector,
  relabelConfig,
  resources,
  safeAuthorization,
  safeTLSConfig,
  scheme,
  secretKeySelector,
  storage,
  tlsConfig,
  workloadStatus,
} from './common-schemas.js';
import { arrayOf, bool, int, intOrString, mapOf, obj, str } from './json-schema.js';
import type { JSONSchemaProps } from './json-schema.js';

const endpointCommon: Record<string, JSONSchemaProps> = {
  path: str('HTTP path to scrape for metrics.'),
  scheme,
  params: mapOf(arrayOf(str()), 'Optional HTTP URL parameters.'),
  interval: duration('Interval at which targets are scraped.'),
  scrapeTimeout: duration('Timeout after which the scrape is ended.'),
  bearerTokenSecret: secretKeySelector,
  authorization: safeAuthorization,
  basicAuth,
  honorLabels: bool(),
  honorTimestamps: bool(),
  followRedirects: bool(),
  enableHttp2: bool(),
  filterRunning: bool(),
  relabelings: arrayOf(relabelConfig),
  metricRelabelings: arrayOf(relabelConfig),
};

const sdRole = str(undefined, { enum: ['Endpoints', 'EndpointSlice'] });

/** ServiceMonitor spec. */
export const serviceMonitorSpec: JSONSchemaProps = obj(
  {
    jobLabel: str(),
    targetLabels: arrayOf(str()),
    podTargetLabels: arrayOf(str()),
    endpoints: arrayOf(
      obj({ ...endpointCommon, port: str(), targetPort: intOrString(), tlsConfig, bearerTokenFile: str() }),
    ),
    selector: labelSelector,
    namespaceSelector,
    sampleLimit: int(undefined, { format: 'int64' }),
    targetLimit: int(undefined, { format: 'int64' }),
    serviceDiscoveryRole: sdRole,
  },
  ['selector'],
);

/** PodMonitor spec. */
export const podMonitorSpec: JSONSchemaProps = obj(
  {
    jobLabel: str(),
    podTargetLabels: arrayOf(str()),
    podMetricsEndpoints: arrayOf(
      obj({
        ...endpointCommon,
        port: str(),
        portNumber: int(undefined, { minimum: 1, maximum: 65535 }),
        targetPort: intOrString(),
        tlsConfig: safeTLSConfig,
      }),
    ),
    selector: labelSelector,
    namespaceSelector,
    sampleLimit: int(undefined, { format: 'int64' }),
    targetLimit: int(undefined, { format: 'int64' }),
  },
  ['selector'],
);

const rule = obj(
  {
    record: str(),
    alert: str(),
    expr: intOrString(),
    for: duration(),
    keep_firing_for: duration(),
    labels: mapOf(str()),
    annotations: mapOf(str()),
  },
  ['expr'],
);

/** PrometheusRule spec. */
export const prometheusRuleSpec: JSONSchemaProps = obj({
  groups: {
    ...arrayOf(
      obj(
        {
          name: str(undefined, { minLength: 1 }),
          interval: duration(),
          query_offset: duration(),
          limit: int(),
          labels: mapOf(str()),
          rules: arrayOf(rule),
        },
        ['name'],
      ),
    ),
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
  },
});

/** PrometheusRule status. */
export const prometheusRuleStatus: JSONSchemaProps = obj({
  conditions: {
    ...arrayOf(condition),
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  },
});

const alertmanagerEndpoints = obj(
  {
    namespace: str(),
    name: str(),
    port: intOrString(),
    scheme,
    pathPrefix: str(),
    apiVersion: str(undefined, { enum: ['v1', 'v2', 'V1', 'V2'] }),
    timeout: duration(),
    tlsConfig,
    basicAuth,
    authorization: safeAuthorization,
    bearerTokenFile: str(),
    relabelings: arrayOf(relabelConfig),
  },
  ['name', 'port'],
);

const remoteWrite = obj(
  {
    url: str(undefined, { minLength: 1 }),
    name: str(),
    remoteTimeout: duration(),
    headers: mapOf(str()),
    writeRelabelConfigs: arrayOf(relabelConfig),
    basicAuth,
    authorization: safeAuthorization,
    bearerTokenFile: str(),
    tlsConfig,
  },
  ['url'],
);

const workload: Record<string, JSONSchemaProps> = {
  replicas: int(undefined, { format: 'int32', minimum: 0 }),
  version: str(),
  image: str(),
  retention: duration(),
  storage,
  resources,
  serviceAccountName: str(),
  paused: bool(),
  externalUrl: str(),
  nodeSelector: mapOf(str()),
};

/** Prometheus spec. */
export const prometheusSpec: JSONSchemaProps = obj({
  ...workload,
  serviceMonitorSelector: labelSelector,
  serviceMonitorNamespaceSelector: labelSelector,
  podMonitorSelector: labelSelector,
  podMonitorNamespaceSelector: labelSelector,
  ruleSelector: labelSelector,
  ruleNamespaceSelector: labelSelector,
  scrapeInterval: duration(undefined),
  scrapeTimeout: duration(),
  evaluationInterval: duration(),
  externalLabels: mapOf(str()),
  prometheusExternalLabelName: str(),
  replicaExternalLabelName: str(),
  retentionSize: str(),
  alerting: obj({ alertmanagers: arrayOf(alertmanagerEndpoints) }, ['alertmanagers']),
  remoteWrite: arrayOf(remoteWrite),
  podTargetLabels: arrayOf(str()),
  serviceDiscoveryRole: sdRole,
});

/** Alertmanager spec. */
export const alertmanagerSpec: JSONSchemaProps = obj({ ...workload, configSecret: str() });

/** Prometheus and Alertmanager status. */
export const workloadStatusSchema: JSONSchemaProps = obj(workloadStatus);
