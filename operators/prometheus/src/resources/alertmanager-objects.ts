// What an Alertmanager becomes: the StatefulSet `alertmanager-<name>` whose
// replicas form one gossip cluster (each names every peer by its stable DNS
// name under `alertmanager-operated`), the governing Service with the web
// and mesh ports, and the generated config Secret (the user's
// `alertmanager-<name>` content, or a config that drops everything).
import type { Alertmanager } from '../api/index.js';
import { toYaml } from '../config/yaml.js';
import { DEFAULT_ALERTMANAGER_VERSION, workloadImage } from './images.js';
import type { ImageSettings } from './images.js';
import type { Secret, Service, StatefulSet, Volume } from './kube-types.js';
import {
  governingServiceName,
  managedLabels,
  ownerReference,
  selectorLabels,
  statefulSetName,
} from './labels.js';

const WEB_PORT = 9093;
const MESH_PORT = 9094;
const CONFIG_DIR = '/etc/alertmanager/config';
/** Key of the config in both the user's and the generated Secret. */
export const ALERTMANAGER_CONFIG_KEY = 'alertmanager.yaml';

/** The config used when the user provides none: one receiver that drops every alert. */
export const DEFAULT_ALERTMANAGER_CONFIG = toYaml({
  route: { receiver: 'null' },
  receivers: [{ name: 'null' }],
});

/** The user's config Secret: `spec.configSecret` or `alertmanager-<name>`. */
export function userConfigSecretName(am: Alertmanager): string {
  return am.spec.configSecret ?? statefulSetName('Alertmanager', am.metadata.name ?? '');
}

/** The Secret the pods mount: `alertmanager-<name>-generated`. */
export function generatedConfigSecretName(name: string): string {
  return `${statefulSetName('Alertmanager', name)}-generated`;
}

/** The generated config Secret holding `config` (the user's, or the default). */
export function alertmanagerConfigSecret(am: Alertmanager, config: string | undefined): Secret {
  const name = am.metadata.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: generatedConfigSecretName(name),
      namespace: am.metadata.namespace ?? '',
      labels: managedLabels('Alertmanager', name),
      ownerReferences: [ownerReference('Alertmanager', am)],
    },
    type: 'Opaque',
    data: {
      [ALERTMANAGER_CONFIG_KEY]: Buffer.from(config ?? DEFAULT_ALERTMANAGER_CONFIG).toString('base64'),
    },
  };
}

/** The desired StatefulSet of an Alertmanager. */
export function alertmanagerStatefulSet(am: Alertmanager, images: ImageSettings): StatefulSet {
  const name = am.metadata.name ?? '';
  const namespace = am.metadata.namespace ?? '';
  const spec = am.spec;
  const replicas = spec.replicas ?? 1;
  const sts = statefulSetName('Alertmanager', name);
  const dataVolume = `${sts}-db`;
  const peers = Array.from(
    { length: replicas },
    (_, i) =>
      `--cluster.peer=${sts}-${i}.${governingServiceName('Alertmanager')}.${namespace}.svc:${MESH_PORT}`,
  );
  const claim = spec.storage?.volumeClaimTemplate;
  const volumes: Volume[] = [{ name: 'config', secret: { secretName: generatedConfigSecretName(name) } }];
  if (claim === undefined) volumes.push({ name: dataVolume, emptyDir: spec.storage?.emptyDir ?? {} });
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: sts,
      namespace,
      labels: managedLabels('Alertmanager', name),
      ownerReferences: [ownerReference('Alertmanager', am)],
    },
    spec: {
      replicas,
      serviceName: governingServiceName('Alertmanager'),
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels('Alertmanager', name) },
      template: {
        metadata: {
          labels: managedLabels('Alertmanager', name),
          annotations: { 'kubectl.kubernetes.io/default-container': 'alertmanager' },
        },
        spec: {
          ...(spec.serviceAccountName === undefined ? {} : { serviceAccountName: spec.serviceAccountName }),
          ...(spec.nodeSelector === undefined ? {} : { nodeSelector: spec.nodeSelector }),
          securityContext: { runAsUser: 1000, runAsNonRoot: true, fsGroup: 2000 },
          terminationGracePeriodSeconds: 120,
          containers: [
            {
              name: 'alertmanager',
              image: workloadImage(spec, images.alertmanagerBaseImage, DEFAULT_ALERTMANAGER_VERSION),
              args: [
                `--config.file=${CONFIG_DIR}/${ALERTMANAGER_CONFIG_KEY}`,
                '--storage.path=/alertmanager',
                `--data.retention=${spec.retention ?? '120h'}`,
                `--web.listen-address=:${WEB_PORT}`,
                ...(spec.externalUrl === undefined ? [] : [`--web.external-url=${spec.externalUrl}`]),
                '--web.route-prefix=/',
                `--cluster.listen-address=[$(POD_IP)]:${MESH_PORT}`,
                `--cluster.advertise-address=[$(POD_IP)]:${MESH_PORT}`,
                ...peers,
                '--cluster.reconnect-timeout=5m',
              ],
              env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
              ports: [
                { name: 'web', containerPort: WEB_PORT, protocol: 'TCP' },
                { name: 'mesh-tcp', containerPort: MESH_PORT, protocol: 'TCP' },
                { name: 'mesh-udp', containerPort: MESH_PORT, protocol: 'UDP' },
              ],
              readinessProbe: {
                httpGet: { path: '/-/ready', port: 'web' },
                periodSeconds: 5,
                timeoutSeconds: 3,
                failureThreshold: 10,
              },
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                { name: dataVolume, mountPath: '/alertmanager' },
              ],
              ...(spec.resources === undefined ? {} : { resources: spec.resources }),
              terminationMessagePolicy: 'FallbackToLogsOnError',
            },
            {
              name: 'config-reloader',
              image: images.configReloaderImage,
              args: [
                `--watched-dir=${CONFIG_DIR}`,
                `--reload-url=http://127.0.0.1:${WEB_PORT}/-/reload`,
                '--listen-address=:8080',
              ],
              ports: [{ name: 'reloader-web', containerPort: 8080 }],
              volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
              terminationMessagePolicy: 'FallbackToLogsOnError',
            },
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

/** The headless Service `alertmanager-operated`: web and mesh ports, not-ready pods published so peers find each other. */
export function alertmanagerGoverningService(am: Alertmanager): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: governingServiceName('Alertmanager'),
      namespace: am.metadata.namespace ?? '',
      labels: { 'operated-alertmanager': 'true', 'app.kubernetes.io/managed-by': 'prometheus-operator' },
      ownerReferences: [ownerReference('Alertmanager', am, false)],
    },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { 'app.kubernetes.io/name': 'alertmanager' },
      ports: [
        { name: 'web', port: WEB_PORT, targetPort: 'web', protocol: 'TCP' },
        { name: 'tcp-mesh', port: MESH_PORT, targetPort: MESH_PORT, protocol: 'TCP' },
        { name: 'udp-mesh', port: MESH_PORT, targetPort: MESH_PORT, protocol: 'UDP' },
      ],
    },
  };
}
