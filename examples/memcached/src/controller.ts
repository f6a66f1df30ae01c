// Wires the Memcached reconciler with the builder: it reconciles Memcacheds,
// owns their Deployments and Services (a change to either requeues the
// owning Memcached), and watches their pods (mapped back by label) so the
// status's pod list follows pods as they come and go.
import { ControllerBuilder, generationChanged } from '@switchboard/core';
import type { ControllerHost, ObjectKey, ReconcileLoop } from '@switchboard/core';

import { MemcachedResource } from './api.js';
import type { Pod } from './kube-types.js';
import { DeploymentType, PodType, ServiceType } from './kube-types.js';
import { reconcileMemcached } from './reconcile.js';

/** The pods of every Memcached carry this label; the pod watch selects on it. */
export const MANAGED_BY_SELECTOR = 'app.kubernetes.io/managed-by=memcached-operator';

/** The Memcached a pod belongs to, from its instance label. */
export function memcachedOfPod(pod: Pod): ObjectKey[] {
  const name = pod.metadata.labels?.['app.kubernetes.io/instance'];
  return name && pod.metadata.namespace ? [{ namespace: pod.metadata.namespace, name }] : [];
}

/**
 * Adds the Memcached controller to a manager (any ControllerHost).
 *
 * @example
 * const manager = new Manager();
 * addMemcachedController(manager);
 * await manager.start(shutdownSignal());
 */
export function addMemcachedController(host: ControllerHost): ReconcileLoop {
  return new ControllerBuilder(host)
    .named('memcached')
    .for(MemcachedResource, { predicates: [generationChanged] })
    .owns(DeploymentType)
    .owns(ServiceType)
    .watches(PodType, memcachedOfPod, { labelSelector: MANAGED_BY_SELECTOR })
    .build((req, ctx) => reconcileMemcached(host.client, req, ctx));
}
