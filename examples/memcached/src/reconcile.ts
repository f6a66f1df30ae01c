// One reconcile of a Memcached, the operator-sdk tutorial's Reconcile:
// 1. read the Memcached; gone means nothing to do (garbage collection
//    removes its Deployment and Service through their owner references);
// 2. apply the Deployment with `spec.size` replicas (server-side apply: a
//    scale to a new size is one apply, and an unchanged one writes nothing);
// 3. apply the Service;
// 4. list its pods and recompute the status (pod names, Available), writing
//    it only when it changed.
// Every event (the Memcached, its Deployment, Service or pods) leads here, so
// nothing needs a timer.
import { isDeepStrictEqual } from 'node:util';

import { isBeingDeleted, isNotFound, Outcome, updateStatus } from '@switchboard/core';
import type { Client, ReconcileContext, ReconcileOutcome, ReconcileRequest } from '@switchboard/core';

import type { Memcached } from './api.js';
import { MemcachedResource } from './api.js';
import { desiredDeployment, desiredService, podSelector } from './desired.js';
import type { Deployment, Pod, Service } from './kube-types.js';
import { DeploymentType, PodType, ServiceType } from './kube-types.js';
import { computeStatus } from './status.js';

/** The field manager of everything the operator applies. */
export const FIELD_MANAGER = 'memcached-operator';

/** Makes the world match one Memcached. Safe to run any number of times. */
export async function reconcileMemcached(
  client: Client,
  req: ReconcileRequest,
  ctx: ReconcileContext,
): Promise<ReconcileOutcome> {
  const { signal } = ctx;
  const memcacheds = MemcachedResource.client(client);
  let memcached: Memcached;
  try {
    memcached = await memcacheds.get(req, { signal });
  } catch (err) {
    if (isNotFound(err)) return Outcome.done();
    throw err;
  }
  if (isBeingDeleted(memcached)) return Outcome.done();

  const apply = { fieldManager: FIELD_MANAGER, force: true, signal };
  const deployment = await client
    .resource<Deployment>(DeploymentType)
    .apply(desiredDeployment(memcached), apply);
  await client.resource<Service>(ServiceType).apply(desiredService(memcached), apply);
  const pods = await client
    .resource<Pod>(PodType)
    .list({ namespace: req.namespace, labelSelector: podSelector(memcached), signal });

  if (!isDeepStrictEqual(computeStatus(memcached, deployment, pods.items), memcached.status ?? {})) {
    // Re-read and recompute on conflict instead of overwriting a newer status.
    await updateStatus(
      memcacheds,
      req,
      (current) => ({ ...current, status: computeStatus(current, deployment, pods.items) }),
      { signal },
    );
    ctx.log.info('status updated', {
      size: memcached.spec.size,
      available: deployment.status?.availableReplicas ?? 0,
    });
  }
  return Outcome.done();
}
