// @switchboard/example-memcached: the operator-sdk Memcached tutorial on
// Switchboard, builder style. The decorator-style example reuses everything
// here except the wiring (controller.ts).
export { MemcachedResource, ConditionType } from './api.js';
export type { Memcached, MemcachedSpec, MemcachedStatus } from './api.js';
export { MEMCACHED_IMAGE, labelsFor, podSelector, desiredDeployment, desiredService } from './desired.js';
export { computeStatus } from './status.js';
export { reconcileMemcached, FIELD_MANAGER } from './reconcile.js';
export { addMemcachedController, memcachedOfPod, MANAGED_BY_SELECTOR } from './controller.js';
export { operator } from './operator.js';
export { DeploymentType, ServiceType, PodType } from './kube-types.js';
export type { Deployment, Service, Pod } from './kube-types.js';
