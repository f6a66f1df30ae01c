// The EtcdCluster CustomResourceDefinition, as code. `etcd-operator crd`
// prints it and config/crd/ holds the generated YAML (crd-file.test.ts fails
// when the two drift). Written by hand here until @switchboard/core's schema
// layer can derive a CRD from a type; the shape mirrors ./types.ts.
//
// Validation lives in the API server so a bad spec is refused at `kubectl
// apply`, not discovered by the operator later: size range, the upgrade path
// (transition rules compare `self` with `oldSelf`) and storage immutability,
// each with a message that names the field.
import {
  DEFAULT_ETCD_REPOSITORY,
  DEFAULT_ETCD_VERSION,
  ETCD_API_VERSION_NAME,
  ETCD_CLUSTER_KIND,
  ETCD_GROUP,
  MAX_CLUSTER_SIZE,
  MIN_CLUSTER_SIZE,
} from './types.js';

/** apiextensions.k8s.io/v1 JSONSchemaProps in its JSON form (the subset we use). */
export interface JsonSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, JsonSchemaProps>;
  additionalProperties?: JsonSchemaProps | boolean;
  items?: JsonSchemaProps;
  required?: string[];
  enum?: (string | number)[];
  default?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  maxItems?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: {
    rule: string;
    message?: string;
    messageExpression?: string;
    reason?: string;
  }[];
}

/** A CustomResourceDefinition manifest (apiextensions.k8s.io/v1) in its JSON form. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames?: string[];
      categories?: string[];
    };
    scope: 'Namespaced' | 'Cluster';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JsonSchemaProps };
      subresources?: { status?: Record<string, never> };
      additionalPrinterColumns?: {
        name: string;
        type: string;
        jsonPath: string;
        description?: string;
        priority?: number;
      }[];
    }[];
  };
}

const stringMap: JsonSchemaProps = { type: 'object', additionalProperties: { type: 'string' } };
/** Kubernetes types we pass through to Pods unchanged; the API server validates them on the Pod. */
const passThrough = (description: string): JsonSchemaProps => ({
  type: 'object',
  description,
  'x-kubernetes-preserve-unknown-fields': true,
});

const VERSION_PATTERN = '^[0-9]+\\.[0-9]+\\.[0-9]+$';

const specSchema: JsonSchemaProps = {
  type: 'object',
  description: 'Declared intent for one etcd cluster.',
  properties: {
    size: {
      type: 'integer',
      description: `Number of voting members, ${MIN_CLUSTER_SIZE}..${MAX_CLUSTER_SIZE}; odd sizes tolerate the same failures as the next even size with fewer members.`,
      default: 3,
      'x-kubernetes-validations': [
        {
          rule: `self >= ${MIN_CLUSTER_SIZE} && self <= ${MAX_CLUSTER_SIZE}`,
          message: `spec.size must be between ${MIN_CLUSTER_SIZE} and ${MAX_CLUSTER_SIZE}`,
        },
      ],
    },
    version: {
      type: 'string',
      description:
        'etcd release X.Y.Z. Upgrades move at most one minor version at a time; downgrades are refused.',
      default: DEFAULT_ETCD_VERSION,
      pattern: VERSION_PATTERN,
      maxLength: 32,
      'x-kubernetes-validations': [
        {
          rule: '!isSemver(self) || !isSemver(oldSelf) || semver(self).compareTo(semver(oldSelf)) >= 0',
          messageExpression: "'spec.version cannot be downgraded from ' + oldSelf + ' to ' + self",
          message: 'spec.version cannot be downgraded',
        },
        {
          rule: '!isSemver(self) || !isSemver(oldSelf) || (semver(self).major() == semver(oldSelf).major() && semver(self).minor() - semver(oldSelf).minor() <= 1)',
          messageExpression:
            "'spec.version cannot skip a minor version: from ' + oldSelf + ' to ' + self + ' (upgrade one minor version at a time)'",
          message: 'spec.version cannot skip a minor version',
        },
      ],
    },
    repository: {
      type: 'string',
      description: `Image repository; the image is <repository>:v<version>. Default ${DEFAULT_ETCD_REPOSITORY}.`,
      default: DEFAULT_ETCD_REPOSITORY,
    },
    storage: {
      type: 'object',
      description: 'Where members keep their data. Immutable after creation.',
      default: { type: 'PersistentVolume', size: '1Gi' },
      required: ['type'],
      properties: {
        type: { type: 'string', enum: ['PersistentVolume', 'Ephemeral'], default: 'PersistentVolume' },
        size: { type: 'string', description: 'PVC size request, e.g. 1Gi.', default: '1Gi' },
        storageClassName: { type: 'string', description: "StorageClass of the members' PVCs." },
      },
      'x-kubernetes-validations': [
        { rule: 'self == oldSelf', message: 'spec.storage is immutable after creation' },
      ],
    },
    paused: {
      type: 'boolean',
      description: 'While true the operator changes nothing; status keeps refreshing.',
      default: false,
    },
    antiAffinity: {
      type: 'string',
      description: 'Spread members over nodes: Preferred (default), Required or None.',
      enum: ['Preferred', 'Required', 'None'],
      default: 'Preferred',
    },
    podTemplate: {
      type: 'object',
      description: 'Copied onto every member Pod.',
      properties: {
        labels: stringMap,
        annotations: stringMap,
        resources: passThrough('Container resources (core/v1 ResourceRequirements).'),
        affinity: passThrough('Pod affinity (core/v1 Affinity), merged with the anti-affinity term.'),
        tolerations: { type: 'array', items: passThrough('core/v1 Toleration.') },
        nodeSelector: stringMap,
      },
    },
    etcdOptions: {
      type: 'object',
      description: 'etcd server flags.',
      properties: {
        quotaBackendBytes: { type: 'integer', minimum: 0, description: '--quota-backend-bytes' },
        autoCompactionMode: {
          type: 'string',
          enum: ['periodic', 'revision'],
          description: '--auto-compaction-mode',
        },
        autoCompactionRetention: {
          type: 'string',
          description: '--auto-compaction-retention, e.g. 1h or 1000',
        },
      },
    },
  },
};

const conditionSchema: JsonSchemaProps = {
  type: 'object',
  required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
  properties: {
    type: { type: 'string' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    observedGeneration: { type: 'integer' },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    reason: { type: 'string' },
    message: { type: 'string' },
  },
};

const statusSchema: JsonSchemaProps = {
  type: 'object',
  properties: {
    phase: { type: 'string' },
    observedGeneration: { type: 'integer' },
    clusterID: { type: 'string' },
    currentVersion: { type: 'string' },
    targetVersion: { type: 'string' },
    leaderID: { type: 'string' },
    readyMembers: { type: 'integer' },
    members: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'id', 'peerURL', 'healthy', 'learner', 'leader'],
        properties: {
          name: { type: 'string' },
          id: { type: 'string' },
          peerURL: { type: 'string' },
          version: { type: 'string' },
          healthy: { type: 'boolean' },
          learner: { type: 'boolean' },
          leader: { type: 'boolean' },
        },
      },
    },
    conditions: { type: 'array', items: conditionSchema },
  },
};

/** The EtcdCluster CRD manifest. */
export function etcdClusterCrd(): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `etcdclusters.${ETCD_GROUP}` },
    spec: {
      group: ETCD_GROUP,
      names: {
        kind: ETCD_CLUSTER_KIND,
        listKind: `${ETCD_CLUSTER_KIND}List`,
        plural: 'etcdclusters',
        singular: 'etcdcluster',
        shortNames: ['etcd'],
        categories: ['all'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: ETCD_API_VERSION_NAME,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'An etcd cluster run by the Switchboard etcd operator.',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: specSchema,
                status: statusSchema,
              },
              required: ['spec'],
            },
          },
          additionalPrinterColumns: [
            { name: 'Size', type: 'integer', jsonPath: '.spec.size', description: 'Declared voting members' },
            {
              name: 'Ready',
              type: 'integer',
              jsonPath: '.status.readyMembers',
              description: 'Healthy voting members',
            },
            { name: 'Version', type: 'string', jsonPath: '.status.currentVersion' },
            { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
            {
              name: 'Available',
              type: 'string',
              jsonPath: '.status.conditions[?(@.type=="Available")].status',
            },
            { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  };
}
