// The Memcached kind: its TypeScript types and, from one definition, its CRD
// (config/crd/, written by `switchboard crd`), an ajv validator and a typed
// client. This is the operator-sdk tutorial's `api/v1alpha1/memcached_types.go`.
import type { Condition, Resource } from '@switchboard/core';
import { conditionsSchema, defineResource } from '@switchboard/core';

/** What the user asks for. */
export interface MemcachedSpec {
  /** Number of memcached pods, 1 to 5. */
  size: number;
  /** Port memcached listens on. Default 11211. */
  containerPort?: number;
}

/** What the operator observed. */
export interface MemcachedStatus {
  /** Names of the memcached pods, sorted. */
  nodes?: string[];
  /** `Available`: every pod of the Deployment is available. */
  conditions?: Condition[];
}

/** A Memcached object. */
export type Memcached = Resource<MemcachedSpec, MemcachedStatus>;

/** The condition types the operator sets. */
export const ConditionType = { Available: 'Available' } as const;

/** The Memcached resource definition (cache.example.com/v1alpha1). */
export const MemcachedResource = defineResource<MemcachedSpec, MemcachedStatus>({
  group: 'cache.example.com',
  version: 'v1alpha1',
  kind: 'Memcached',
  scope: 'Namespaced',
  spec: {
    type: 'object',
    required: ['size'],
    properties: {
      size: { type: 'integer', minimum: 1, maximum: 5, description: 'Number of memcached pods.' },
      containerPort: {
        type: 'integer',
        minimum: 1,
        maximum: 65535,
        default: 11211,
        description: 'Port memcached listens on.',
      },
    },
  },
  status: {
    type: 'object',
    properties: {
      nodes: { type: 'array', items: { type: 'string' }, description: 'Names of the memcached pods.' },
      conditions: conditionsSchema,
    },
  },
  printerColumns: [
    { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
    { name: 'Available', type: 'string', jsonPath: '.status.conditions[?(@.type=="Available")].status' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
});
