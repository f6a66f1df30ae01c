/**
 * api: helpers every reconciler needs, on top of the client layer only.
 *
 * - Finalizers: add before work, clean up on deletion, remove only our own.
 * - Owner references: the controller reference that ties a child to its
 *   owner, for garbage collection and for the controller layer's `owns()`.
 * - Status conditions with metav1.Condition semantics, and status writes
 *   that re-read on conflict instead of clobbering concurrent writers.
 * - An events.k8s.io/v1 recorder that aggregates repeats into a series.
 */
export type {
  Condition,
  ConditionInput,
  ConditionStatus,
  UpdateStatusOptions,
  ObjectWithConditions,
} from './conditions.js';
export {
  setStatusCondition,
  findStatusCondition,
  removeStatusCondition,
  isStatusConditionTrue,
  isStatusConditionFalse,
  updateStatus,
  patchStatusConditions,
} from './conditions.js';
export type { OwnerObject } from './owner-references.js';
export {
  AlreadyOwnedError,
  ownerReference,
  getControllerOf,
  isControlledBy,
  setControllerReference,
  setOwnerReference,
} from './owner-references.js';
export type { FinalizerHandlers } from './finalizers.js';
export { hasFinalizer, isBeingDeleted, addFinalizer, removeFinalizer, withFinalizer } from './finalizers.js';
export type {
  EventType,
  EventInput,
  EventObjectReference,
  KubeEvent,
  EventRecorderOptions,
} from './events.js';
export { EventRecorder } from './events.js';
