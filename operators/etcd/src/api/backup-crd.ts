// The EtcdBackup resource, defined once with @switchboard/core's
// defineResource (CRD for config/crd/, validator, typed client). The schema
// mirrors ./backup-types.ts.
//
// The API server refuses a bad spec at `kubectl apply`, each rule with a
// message naming the field: exactly one destination, a relative PVC path
// without `..`, object names that are names (field-rules.ts), an S3
// endpoint that is a URL, a prefix and region of plain characters, a schedule that looks like cron
// or `@every`, retention and timeout ranges, and the source and destination
// fixed after creation (changing either would strand the kept snapshots).
// The schedule is parsed fully by the operator (schedule.ts); a schedule that
// passes the pattern but not the parser is reported as InvalidSchedule.
import { conditionsSchema, defineResource } from '@switchboard/core';
import type { JsonSchema } from '@switchboard/core';

import type { EtcdBackupSpec, EtcdBackupStatus } from './backup-types.js';
import {
  DEFAULT_BACKUP_TIMEOUT_SECONDS,
  DEFAULT_MAX_BACKUPS,
  ETCD_BACKUP_KIND,
  MAX_MAX_BACKUPS,
} from './backup-types.js';
import { objectName, patternedString } from './field-rules.js';
import { SCHEDULE_PATTERN } from './schedule-pattern.js';
import { ETCD_API_VERSION_NAME, ETCD_GROUP } from './types.js';

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** Folder names end up in a shell command's environment: keep them to plain path characters. */
const PATH_CHARS = '^[A-Za-z0-9._/-]*$';

const pvcDestination: JsonSchema = {
  type: 'object',
  description: 'A folder in a PersistentVolumeClaim of the same namespace.',
  required: ['claimName'],
  properties: {
    claimName: objectName('spec.destination.pvc.claimName', 'The PVC.'),
    path: {
      type: 'string',
      maxLength: 200,
      description: "Folder inside the volume, relative; default the EtcdBackup's name.",
      'x-kubernetes-validations': [
        {
          rule: `self.matches('${PATH_CHARS}') && !self.startsWith('/') && !self.split('/').exists(p, p == '..')`,
          message:
            "spec.destination.pvc.path must be a relative path of letters, digits, '.', '_', '-' and '/', without '..'",
        },
      ],
    },
  },
};

const s3Destination: JsonSchema = {
  type: 'object',
  description:
    'S3-compatible object storage. The operator streams the snapshot from one healthy member and uploads it to <prefix>/<namespace>/<backup>/<cluster>-<yyyymmdd>-<hhmmss>.db, with its sha256 as object metadata.',
  required: ['endpoint', 'bucket', 'credentialsSecret'],
  properties: {
    endpoint: {
      type: 'string',
      maxLength: 512,
      description: 'URL of the S3 API, http:// or https://.',
      'x-kubernetes-validations': [
        {
          rule: "self.matches('^https?://[^/ ]+(/.*)?$')",
          message: 'spec.destination.s3.endpoint must be an http:// or https:// URL',
        },
      ],
    },
    bucket: {
      type: 'string',
      maxLength: 63,
      description: 'Bucket name.',
      'x-kubernetes-validations': [
        {
          rule: "self.matches('^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$')",
          message: 'spec.destination.s3.bucket must be 3 to 63 lower-case letters, digits, dots or dashes',
        },
      ],
    },
    prefix: {
      type: 'string',
      maxLength: 512,
      description: 'Key prefix.',
      'x-kubernetes-validations': [
        {
          rule: `self.matches('${PATH_CHARS}') && !self.split('/').exists(p, p == '..')`,
          message: "spec.destination.s3.prefix must be letters, digits, '.', '_', '-' and '/', without '..'",
        },
      ],
    },
    region: patternedString(
      '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      64,
      'Signing region (default us-east-1).',
      "spec.destination.s3.region must be a region name such as us-east-1 (lower-case letters, digits and '-')",
    ),
    forcePathStyle: {
      type: 'boolean',
      default: true,
      description: 'Path-style addressing (<endpoint>/<bucket>/<key>), as most S3-compatible servers need.',
    },
    credentialsSecret: {
      type: 'object',
      description:
        "Secret in the backup's namespace with keys accessKeyID and secretAccessKey (optionally sessionToken); read by the operator only.",
      required: ['name'],
      properties: {
        name: objectName('spec.destination.s3.credentialsSecret.name', 'The Secret.'),
      },
    },
  },
};

const specSchema: JsonSchema = {
  type: 'object',
  description: 'Declared intent for a backup of one EtcdCluster.',
  required: ['clusterName', 'destination'],
  properties: {
    clusterName: {
      type: 'string',
      maxLength: 63,
      description: 'The EtcdCluster to snapshot, in the same namespace. Immutable.',
      'x-kubernetes-validations': [
        {
          rule: `self.matches('${DNS_LABEL}')`,
          message: 'spec.clusterName must be the name of an EtcdCluster (a DNS label)',
        },
        { rule: 'self == oldSelf', message: 'spec.clusterName is immutable' },
      ],
    },
    destination: {
      type: 'object',
      description: 'Where snapshots go: exactly one of pvc or s3. Immutable.',
      properties: { pvc: pvcDestination, s3: s3Destination },
      'x-kubernetes-validations': [
        {
          rule: 'has(self.pvc) != has(self.s3)',
          message: 'spec.destination must set exactly one of pvc or s3',
        },
        { rule: 'self == oldSelf', message: 'spec.destination is immutable' },
      ],
    },
    schedule: {
      type: 'string',
      maxLength: 128,
      description:
        'Cron in UTC (5 fields), a macro (@hourly, @daily, ...) or @every <duration> (e.g. @every 30s). Absent: one snapshot, once.',
      'x-kubernetes-validations': [
        {
          rule: `self.matches('${SCHEDULE_PATTERN}')`,
          message:
            "spec.schedule must be a 5-field cron expression, a macro such as '@daily', or '@every <duration>' such as '@every 30s'",
        },
      ],
    },
    maxBackups: {
      type: 'integer',
      default: DEFAULT_MAX_BACKUPS,
      description: `Snapshots kept; the oldest beyond this are deleted once a new one is verified. 1..${MAX_MAX_BACKUPS}.`,
      'x-kubernetes-validations': [
        {
          rule: `self >= 1 && self <= ${MAX_MAX_BACKUPS}`,
          message: `spec.maxBackups must be between 1 and ${MAX_MAX_BACKUPS}`,
        },
      ],
    },
    timeoutSeconds: {
      type: 'integer',
      default: DEFAULT_BACKUP_TIMEOUT_SECONDS,
      description: 'Deadline of one snapshot, in seconds (10..86400).',
      'x-kubernetes-validations': [
        {
          rule: 'self >= 10 && self <= 86400',
          message: 'spec.timeoutSeconds must be between 10 and 86400',
        },
      ],
    },
    suspend: {
      type: 'boolean',
      default: false,
      description: 'While true no new snapshot starts.',
    },
  },
};

const snapshotSchema: JsonSchema = {
  type: 'object',
  required: ['name', 'path', 'revision', 'size', 'sha256', 'completionTime'],
  properties: {
    name: { type: 'string' },
    path: { type: 'string' },
    etcdVersion: { type: 'string' },
    storageVersion: { type: 'string' },
    revision: { type: 'integer' },
    totalKeys: { type: 'integer' },
    size: { type: 'integer' },
    sha256: { type: 'string' },
    member: { type: 'string' },
    startTime: { type: 'string', format: 'date-time' },
    completionTime: { type: 'string', format: 'date-time' },
  },
};

const statusSchema: JsonSchema = {
  type: 'object',
  properties: {
    phase: { type: 'string' },
    observedGeneration: { type: 'integer' },
    currentJob: { type: 'string' },
    lastScheduleTime: { type: 'string', format: 'date-time' },
    nextScheduleTime: { type: 'string', format: 'date-time' },
    lastSuccessTime: { type: 'string', format: 'date-time' },
    lastFailureTime: { type: 'string', format: 'date-time' },
    lastSnapshot: snapshotSchema,
    snapshots: { type: 'array', items: snapshotSchema },
    consecutiveFailures: { type: 'integer' },
    conditions: conditionsSchema,
  },
};

/** The EtcdBackup resource: CRD, validator and typed client. */
export const EtcdBackupResource = defineResource<EtcdBackupSpec, EtcdBackupStatus>({
  group: ETCD_GROUP,
  version: ETCD_API_VERSION_NAME,
  kind: ETCD_BACKUP_KIND,
  plural: 'etcdbackups',
  singular: 'etcdbackup',
  shortNames: ['etcdbk'],
  categories: ['all'],
  scope: 'Namespaced',
  spec: specSchema,
  status: statusSchema,
  printerColumns: [
    { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterName' },
    { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Revision', type: 'integer', jsonPath: '.status.lastSnapshot.revision' },
    { name: 'Size', type: 'integer', jsonPath: '.status.lastSnapshot.size', priority: 1 },
    { name: 'Last Success', type: 'date', jsonPath: '.status.lastSuccessTime' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
});
