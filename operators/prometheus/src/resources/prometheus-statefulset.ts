// The StatefulSet `prometheus-<name>`: Prometheus plus the config reloader,
// which renders the gzipped config Secret into a shared emptyDir (expanding
// $(POD_NAME) for the replica label) and calls /-/reload whenever the config
// or a rule ConfigMap changes. An init container renders the config once so
// Prometheus never starts without one.
import type { Prometheus } from '../api/index.js';
import { RULES_DIR } from '../config/prometheus-config.js';
import { TLS_ASSETS_DIR } from '../config/asset-store.js';
import { DEFAULT_PROMETHEUS_VERSION, workloadImage } from './images.js';
import type { ImageSettings } from './images.js';
import type { Container, StatefulSet, Volume } from './kube-types.js';
import {
  governingServiceName,
  managedLabels,
  ownerReference,
  selectorLabels,
  statefulSetName,
} from './labels.js';

/** Key of the gzipped config in the config Secret. */
export const CONFIG_KEY = 'prometheus.yaml.gz';
const CONFIG_DIR = '/etc/prometheus/config';
const CONFIG_OUT_DIR = '/etc/prometheus/config_out';
const CONFIG_OUT_FILE = `${CONFIG_OUT_DIR}/prometheus.env.yaml`;
const DATA_DIR = '/prometheus';
/** Prometheus's web port. */
export const PROMETHEUS_PORT = 9090;
/** The config reloader's metrics port. */
export const RELOADER_PORT = 8080;

/** Name of the config Secret: the StatefulSet's name, as in the reference. */
export function configSecretName(prometheusName: string): string {
  return statefulSetName('Prometheus', prometheusName);
}

/** Name of the TLS assets Secret. */
export function tlsAssetsSecretName(prometheusName: string): string {
  return `${statefulSetName('Prometheus', prometheusName)}-tls-assets-0`;
}

function reloaderContainer(
  name: string,
  image: string,
  ruleConfigMaps: readonly string[],
  once: boolean,
): Container {
  const args = [
    `--config-file=${CONFIG_DIR}/${CONFIG_KEY}`,
    `--config-envsubst-file=${CONFIG_OUT_FILE}`,
    ...ruleConfigMaps.map((cm) => `--watched-dir=${RULES_DIR}/${cm}`),
  ];
  args.push(
    once ? '--once' : `--reload-url=http://127.0.0.1:${PROMETHEUS_PORT}/-/reload`,
    `--listen-address=:${RELOADER_PORT}`,
  );
  return {
    name,
    image,
    args: once ? args.filter((a) => !a.startsWith('--listen-address')) : args,
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    ...(once ? {} : { ports: [{ name: 'reloader-web', containerPort: RELOADER_PORT }] }),
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'config-out', mountPath: CONFIG_OUT_DIR },
      ...ruleConfigMaps.map((cm) => ({ name: cm, mountPath: `${RULES_DIR}/${cm}`, readOnly: true })),
    ],
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/**
 * The desired StatefulSet of a Prometheus.
 *
 * @param ruleConfigMaps names of the rule ConfigMaps to mount, sorted.
 */
export function prometheusStatefulSet(
  prometheus: Prometheus,
  ruleConfigMaps: readonly string[],
  images: ImageSettings,
): StatefulSet {
  const name = prometheus.metadata.name ?? '';
  const spec = prometheus.spec;
  const dataVolume = `${statefulSetName('Prometheus', name)}-db`;
  const args = [
    `--config.file=${CONFIG_OUT_FILE}`,
    `--storage.tsdb.path=${DATA_DIR}`,
    `--storage.tsdb.retention.time=${spec.retention ?? '24h'}`,
    ...(spec.retentionSize === undefined ? [] : [`--storage.tsdb.retention.size=${spec.retentionSize}`]),
    '--web.enable-lifecycle',
    '--web.route-prefix=/',
    ...(spec.externalUrl === undefined ? [] : [`--web.external-url=${spec.externalUrl}`]),
  ];
  const prometheusContainer: Container = {
    name: 'prometheus',
    image: workloadImage(spec, images.prometheusBaseImage, DEFAULT_PROMETHEUS_VERSION),
    args,
    ports: [{ name: 'web', containerPort: PROMETHEUS_PORT }],
    readinessProbe: {
      httpGet: { path: '/-/ready', port: 'web' },
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    volumeMounts: [
      { name: 'config-out', mountPath: CONFIG_OUT_DIR, readOnly: true },
      { name: 'tls-assets', mountPath: TLS_ASSETS_DIR, readOnly: true },
      { name: dataVolume, mountPath: DATA_DIR },
      ...ruleConfigMaps.map((cm) => ({ name: cm, mountPath: `${RULES_DIR}/${cm}`, readOnly: true })),
    ],
    ...(spec.resources === undefined ? {} : { resources: spec.resources }),
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  const volumes: Volume[] = [
    { name: 'config', secret: { secretName: configSecretName(name) } },
    { name: 'tls-assets', secret: { secretName: tlsAssetsSecretName(name) } },
    { name: 'config-out', emptyDir: {} },
    // Optional, so a rule ConfigMap deleted between two passes never blocks a pod start.
    ...ruleConfigMaps.map((cm) => ({ name: cm, configMap: { name: cm, optional: true } })),
  ];
  const claim = spec.storage?.volumeClaimTemplate;
  if (claim === undefined) volumes.push({ name: dataVolume, emptyDir: spec.storage?.emptyDir ?? {} });
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: statefulSetName('Prometheus', name),
      namespace: prometheus.metadata.namespace ?? '',
      labels: managedLabels('Prometheus', name),
      ownerReferences: [ownerReference('Prometheus', prometheus)],
    },
    spec: {
      replicas: spec.replicas ?? 1,
      serviceName: governingServiceName('Prometheus'),
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels('Prometheus', name) },
      template: {
        metadata: {
          labels: managedLabels('Prometheus', name),
          annotations: { 'kubectl.kubernetes.io/default-container': 'prometheus' },
        },
        spec: {
          ...(spec.serviceAccountName === undefined ? {} : { serviceAccountName: spec.serviceAccountName }),
          ...(spec.nodeSelector === undefined ? {} : { nodeSelector: spec.nodeSelector }),
          securityContext: { runAsUser: 1000, runAsNonRoot: true, fsGroup: 2000 },
          terminationGracePeriodSeconds: 600,
          initContainers: [reloaderContainer('init-config-reloader', images.configReloaderImage, [], true)],
          containers: [
            prometheusContainer,
            reloaderContainer('config-reloader', images.configReloaderImage, ruleConfigMaps, false),
          ],
          volumes,
        },
      },
      ...(claim === undefined
        ? {}
        : { volumeClaimTemplates: [{ ...claim, metadata: { ...claim.metadata, name: dataVolume } }] }),
    },
  };
}
