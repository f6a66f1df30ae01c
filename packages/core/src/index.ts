// @switchboard/core: the public API, as an explicit list (no `export *`).

// --- client, watch, cache (core part 1) ---
export {
  Client,
  KubeconfigNotFoundError,
  Discovery,
  KubeConfigTransport,
  resourcePath,
  resourceName,
  objectKey,
  keyString,
  parseKeyString,
  parseApiVersion,
  ApiError,
  NotFoundError,
  ConflictError,
  AlreadyExistsError,
  InvalidError,
  ForbiddenError,
  UnauthorizedError,
  TooManyRequestsError,
  GoneError,
  TimeoutError,
  isNotFound,
} from './client/index.js';
export type {
  ClientOptions,
  ResourceClient,
  StatusClient,
  ApplyObject,
  ApiResource,
  Transport,
  HttpRequest,
  HttpResponse,
  HttpStreamResponse,
  HttpMethod,
  KubeObject,
  KubeList,
  ObjectMeta,
  ListMeta,
  OwnerReference,
  ManagedFieldsEntry,
  PartialObjectMetadata,
  TypeMeta,
  ObjectKey,
  Verb,
  Status,
  StatusCause,
  RequestOptions,
  GetOptions,
  ListOptions,
  WriteOptions,
  ApplyOptions,
  DeleteOptions,
  Patch,
  JsonPatchOperation,
  DeepPartial,
} from './client/index.js';
export {
  watchList,
  listWatch,
  relistDiff,
  ExponentialBackoff,
  systemClock,
  deepFreeze,
} from './watch/index.js';
export type {
  WatchEvent,
  WatchOptions,
  WatchRestartReason,
  BackoffPolicy,
  ExponentialBackoffOptions,
} from './watch/index.js';
export {
  Store,
  NAMESPACE_INDEX,
  byOwnerUid,
  byLabel,
  Informer,
  dropManagedFields,
  InformerFactory,
  CacheReader,
  parseLabelSelector,
} from './cache/index.js';
export type {
  StoreReader,
  StoreListOptions,
  IndexFunc,
  InformerHandler,
  InformerOptions,
  InformerSelection,
  InformerFactoryOptions,
  CacheGetOptions,
  CacheListOptions,
  LabelSelector,
} from './cache/index.js';
// --- end core part 1 ---

// --- queue, controller, manager, metrics, logging, api helpers (core part 2) ---
export {
  WorkQueue,
  FakeClock,
  realClock,
  ItemExponentialFailureRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './queue/index.js';
export type {
  Clock,
  RateLimiter,
  ItemExponentialBackoffOptions,
  BucketOptions,
  WorkQueueMetrics,
  WorkQueueOptions,
  UnfinishedWork,
} from './queue/index.js';
export {
  Outcome,
  TerminalError,
  generationChanged,
  resourceVersionChanged,
  labelsChanged,
  annotationsChanged,
  labelSelector,
  inNamespaces,
  and,
  or,
  not,
  enqueueObject,
  enqueueControllerOwner,
  enqueueMapped,
  ReconcileLoop,
  CacheSyncTimeoutError,
  ControllerBuilder,
  BuilderError,
} from './controller/index.js';
export type {
  ReconcileRequest,
  ReconcileOutcome,
  ObjectEvent,
  Predicate,
  EventHandler,
  MapFunction,
  ReconcileContext,
  ReconcileFunction,
  EventSourceInformer,
  WatchSource,
  ControllerOptions,
  ControllerHost,
  ControllerWatchOptions,
  BuilderOptions,
} from './controller/index.js';
export { Manager, LeaderElector, LeaderElectionLostError, shutdownSignal } from './manager/index.js';
export type {
  ManagerOptions,
  Lease,
  LeaderElectionOptions,
  HealthCheck,
  ShutdownSignalOptions,
} from './manager/index.js';
export { ControllerMetrics, Counter, Gauge, Histogram, Registry } from './metrics/index.js';
export type { ControllerMetricSet, ReconcileResultLabel } from './metrics/index.js';
export { createLogger, silentLogger } from './logging/index.js';
export type { Logger, LogLevel, LogFields, LogValue, LogSink, LoggerOptions } from './logging/index.js';
export {
  setStatusCondition,
  findStatusCondition,
  removeStatusCondition,
  isStatusConditionTrue,
  isStatusConditionFalse,
  updateStatus,
  patchStatusConditions,
  AlreadyOwnedError,
  ownerReference,
  getControllerOf,
  isControlledBy,
  setControllerReference,
  setOwnerReference,
  hasFinalizer,
  isBeingDeleted,
  addFinalizer,
  removeFinalizer,
  withFinalizer,
  EventRecorder,
} from './api/index.js';
export type {
  Condition,
  ConditionInput,
  ConditionStatus,
  UpdateStatusOptions,
  ObjectWithConditions,
  OwnerObject,
  FinalizerHandlers,
  EventType,
  EventInput,
  EventObjectReference,
  KubeEvent,
  EventRecorderOptions,
} from './api/index.js';
export { defineResource, SchemaError, structuralProblems, conditionsSchema } from './schema/index.js';
export type {
  JsonSchema,
  ValidationRule,
  Resource,
  PrinterColumn,
  ScaleSubresource,
  ResourceDefinitionInput,
  ResourceDefinition,
  CustomResourceDefinitionManifest,
  ValidationResult,
} from './schema/index.js';
export {
  Controller,
  Owns,
  Watches,
  Reconcile,
  Finalizer,
  buildDecoratedController,
  DecoratorError,
} from './decorators/index.js';
export type { ControllerDecoratorOptions, FinalizerMethod } from './decorators/index.js';
// --- end core part 2 ---
