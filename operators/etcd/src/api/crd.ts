// The EtcdCluster resource, defined once with @switchboard/core's
// defineResource: its CRD (`switchboard crd --write` writes config/crd/, and
// the check in npm test fails when the two drift), a validator and a typed
// client. The schema mirrors ./types.ts.
//
// Validation lives in the API server so a bad spec is refused at `kubectl
// apply`, not discovered by the operator later: size range, the upgrade path
// (transition rules compare `self` with `oldSelf`), storage and bootstrap
// immutability, each with a message that names the field.
import { defineResource } from '@switchboard/core';
import type { CustomResourceDefinitionManifest, JsonSchema } from '@switchboard/core';

import { SCHEDULE_PATTERN } from './schedule-pattern.js';
import type { EtcdClusterSpec, EtcdClusterStatus } from './types.js';
import {
  DEFAULT_ETCD_REPOSITORY,
  DEFAULT_ETCD_VERSION,
  ETCD_API_VERSION_NAME,
  ETCD_CLUSTER_KIND,
  ETCD_GROUP,
  MAX_CLUSTER_SIZE,
  MIN_CLUSTER_SIZE,
} from './types.js';

const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
/** Kubernetes types we pass through to Pods unchanged; the API server validates them on the Pod. */
const passThrough = (description: string): JsonSchema => ({
  type: 'object',
  description,
  'x-kubernetes-preserve-unknown-fields': true,
});

const VERSION_PATTERN = '^[0-9]+\\.[0-9]+\\.[0-9]+$';

const specSchema: JsonSchema = {
  type: 'object',
  description: 'Declared intent for one etcd cluster.',
  'x-kubernetes-validations': [
    // The rule on spec.bootstrap itself only compares two present values; this one refuses adding or removing it.
    {
      rule: 'has(self.bootstrap) == has(oldSelf.bootstrap)',
      message: 'spec.bootstrap is immutable after creation',
    },
  ],
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
    bootstrap: {
      type: 'object',
      description:
        'How the cluster starts: empty (default), or restored from a backup. Immutable after creation.',
      properties: {
        restore: {
          type: 'object',
          description:
            'Seed the new cluster from a verified snapshot of an EtcdBackup in the same namespace; the other members join as learners.',
          required: ['backupName'],
          properties: {
            backupName: { type: 'string', maxLength: 253, description: 'The EtcdBackup.' },
            snapshot: {
              type: 'string',
              maxLength: 253,
              description: "A snapshot file name from the backup's status.snapshots; default its newest.",
            },
          },
        },
      },
      'x-kubernetes-validations': [
        { rule: 'self == oldSelf', message: 'spec.bootstrap is immutable after creation' },
      ],
    },
    recovery: {
      type: 'string',
      enum: ['manual', 'auto'],
      default: 'manual',
      description:
        'Disaster recovery after quorum loss, from the surviving member with the highest raft index: manual (when the annotation etcd.switchboard.dev/recover is set) or auto.',
    },
    defragmentation: {
      type: 'object',
      description: 'Defragment every member on a schedule, one at a time, the leader last.',
      required: ['schedule'],
      properties: {
        schedule: {
          type: 'string',
          maxLength: 128,
          description: 'Cron in UTC (5 fields), a macro (@daily, ...) or @every <duration> (e.g. @every 1h).',
          'x-kubernetes-validations': [
            {
              rule: `self.matches('${SCHEDULE_PATTERN}')`,
              message:
                "spec.defragmentation.schedule must be a 5-field cron expression, a macro such as '@daily', or '@every <duration>' such as '@every 1h'",
            },
          ],
        },
      },
    },
    monitoring: {
      type: 'object',
      description: 'Prometheus scraping of the members.',
      properties: {
        serviceMonitor: {
          type: 'boolean',
          default: true,
          description:
            "Create a monitoring.coreos.com/v1 ServiceMonitor selecting the peer Service's metrics port when that CRD is installed; false deletes it.",
        },
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

/** metav1.Condition, as every kind of this operator reports it. */
export const conditionSchema: JsonSchema = {
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

const statusSchema: JsonSchema = {
  type: 'object',
  properties: {
    phase: { type: 'string' },
    observedGeneration: { type: 'integer' },
    clusterID: { type: 'string' },
    currentVersion: { type: 'string' },
    targetVersion: { type: 'string' },
    leaderID: { type: 'string' },
    readyMembers: { type: 'integer' },
    quorumLostSince: { type: 'string', format: 'date-time' },
    recovery: {
      type: 'object',
      required: ['survivor', 'memberId', 'raftIndex', 'startedAt', 'phase'],
      properties: {
        survivor: { type: 'string' },
        memberId: { type: 'string' },
        raftIndex: { type: 'string' },
        startedAt: { type: 'string', format: 'date-time' },
        phase: { type: 'string', enum: ['Forcing', 'Restarting'] },
      },
    },
    space: {
      type: 'object',
      properties: {
        recovery: {
          type: 'object',
          required: ['phase', 'startedAt', 'defragmented'],
          properties: {
            trigger: { type: 'string', enum: ['NoSpace', 'Schedule'] },
            phase: { type: 'string', enum: ['Compacting', 'Defragmenting', 'Disarming', 'Disarmed'] },
            startedAt: { type: 'string', format: 'date-time' },
            revision: { type: 'string' },
            defragmented: { type: 'array', items: { type: 'string' } },
          },
        },
        lastRecoveryTime: { type: 'string', format: 'date-time' },
        lastDefragmentationTime: { type: 'string', format: 'date-time' },
      },
    },
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

/** The EtcdCluster resource: CRD, validator and typed client. */
export const EtcdClusterResource = defineResource<EtcdClusterSpec, EtcdClusterStatus>({
  group: ETCD_GROUP,
  version: ETCD_API_VERSION_NAME,
  kind: ETCD_CLUSTER_KIND,
  plural: 'etcdclusters',
  singular: 'etcdcluster',
  shortNames: ['etcd'],
  categories: ['all'],
  scope: 'Namespaced',
  description: 'An etcd cluster run by the Switchboard etcd operator.',
  spec: specSchema,
  status: statusSchema,
  printerColumns: [
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
});

/** The EtcdCluster CRD manifest (what config/crd/ holds). */
export function etcdClusterCrd(): CustomResourceDefinitionManifest {
  return EtcdClusterResource.crd();
}
