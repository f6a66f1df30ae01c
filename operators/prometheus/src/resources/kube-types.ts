// The wire shapes of the built-in objects this operator writes, as far as it
// fills them (JSON form, so they go straight to server-side apply).
import type { KubeObject } from '@switchboard/core';
import type { EmbeddedPersistentVolumeClaim, LabelSelector, ResourceRequirements } from '../api/index.js';

/** corev1.EnvVar, with the field references we use. */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef: { fieldPath: string } };
}

/** corev1.Probe over HTTP. */
export interface HttpProbe {
  httpGet: { path: string; port: string | number };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

/** corev1.Container, the fields we set. */
export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number; protocol?: 'TCP' | 'UDP' }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  readinessProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  resources?: ResourceRequirements;
  terminationMessagePolicy?: 'File' | 'FallbackToLogsOnError';
}

/** corev1.Volume, the sources we use. */
export interface Volume {
  name: string;
  secret?: { secretName: string; optional?: boolean };
  configMap?: { name: string; optional?: boolean };
  emptyDir?: { medium?: string; sizeLimit?: string };
}

/** appsv1.StatefulSet. */
export interface StatefulSet extends KubeObject {
  spec: {
    replicas: number;
    serviceName: string;
    podManagementPolicy: 'Parallel' | 'OrderedReady';
    selector: LabelSelector;
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: {
        serviceAccountName?: string;
        nodeSelector?: Record<string, string>;
        securityContext?: { runAsUser?: number; runAsNonRoot?: boolean; fsGroup?: number };
        terminationGracePeriodSeconds?: number;
        initContainers?: Container[];
        containers: Container[];
        volumes: Volume[];
      };
    };
    volumeClaimTemplates?: EmbeddedPersistentVolumeClaim[];
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    currentReplicas?: number;
    observedGeneration?: number;
  };
}

/** corev1.Service. */
export interface Service extends KubeObject {
  spec: {
    clusterIP?: string;
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: string | number; protocol?: 'TCP' | 'UDP' }[];
    publishNotReadyAddresses?: boolean;
  };
}

/** corev1.Secret; `data` values are base64. */
export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** corev1.ConfigMap. */
export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

/** corev1.Namespace (labels are all we read). */
export type Namespace = KubeObject;
