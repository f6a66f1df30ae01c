/**
 * controller: the reconcile loop and the builder that wires it.
 *
 * A controller watches one kind (`for`), the kinds it creates (`owns`, mapped
 * to their controller owner) and any other kind (`watches`, with a map
 * function). Informer events pass predicates, become object keys, and go into
 * a work queue (queue layer); workers reconcile one key at a time and turn
 * the returned {@link ReconcileOutcome} into one queue operation. A thrown
 * error is logged with the key, counted and retried with backoff; a
 * {@link TerminalError} is not retried. Built on the cache layer's informers;
 * the manager layer starts and stops controllers.
 */
export type { ReconcileRequest, ReconcileOutcome } from './outcome.js';
export { Outcome, TerminalError } from './outcome.js';
export type { ObjectEvent, Predicate } from './predicates.js';
export {
  generationChanged,
  resourceVersionChanged,
  labelsChanged,
  annotationsChanged,
  labelSelector,
  inNamespaces,
  and,
  or,
  not,
} from './predicates.js';
export type { EventHandler, MapFunction } from './handlers.js';
export { enqueueObject, enqueueControllerOwner, enqueueMapped } from './handlers.js';
export type {
  ReconcileContext,
  ReconcileFunction,
  EventSourceInformer,
  WatchSource,
  ControllerOptions,
} from './reconcile-loop.js';
export { ReconcileLoop, CacheSyncTimeoutError } from './reconcile-loop.js';
export type { ControllerHost, WatchOptions as ControllerWatchOptions, BuilderOptions } from './builder.js';
export { ControllerBuilder, BuilderError } from './builder.js';
