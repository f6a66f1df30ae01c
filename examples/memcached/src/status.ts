// The Memcached's status, recomputed from what is observed on every pass
// (never accumulated), so a missed event cannot leave it wrong.
import { setStatusCondition } from '@switchboard/core';

import type { Memcached, MemcachedStatus } from './api.js';
import { ConditionType } from './api.js';
import type { Deployment, Pod } from './kube-types.js';

/** The status for `memcached` given its Deployment and pods as they are now. */
export function computeStatus(
  memcached: Memcached,
  deployment: Deployment,
  pods: readonly Pod[],
  now?: Date,
): MemcachedStatus {
  const available = deployment.status?.availableReplicas ?? 0;
  const size = memcached.spec.size;
  const generation = memcached.metadata.generation;
  const condition =
    available >= size
      ? {
          reason: 'AllPodsAvailable',
          status: 'True' as const,
          message: `${available} of ${size} pods available`,
        }
      : {
          reason: 'PodsNotAvailable',
          status: 'False' as const,
          message: `${available} of ${size} pods available`,
        };
  return {
    nodes: pods
      .filter((p) => p.metadata.deletionTimestamp === undefined)
      .map((p) => p.metadata.name ?? '')
      .sort(),
    conditions: setStatusCondition(
      memcached.status?.conditions,
      {
        type: ConditionType.Available,
        ...condition,
        ...(generation !== undefined ? { observedGeneration: generation } : {}),
      },
      now,
    ),
  };
}
