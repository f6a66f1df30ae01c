// The client layer: talking to the API server.
//
// A `Client` wraps one cluster connection (auth and TLS from
// @kubernetes/client-node's KubeConfig, our own HTTP for control over
// streaming, timeouts and cancellation). `client.resource({ apiVersion, kind })`
// gives a typed `ResourceClient` for any kind, built-in or custom: get, list
// (paginated), create, update, delete, JSON / merge / strategic patches,
// server-side apply and the status subresource. Discovery maps kinds to REST
// resources and their scope. Failures are typed errors (NotFoundError,
// ConflictError, ...) that name the verb, the resource and the object's key.
//
// The watch layer builds on this layer's Transport and discovery; nothing here
// depends on watch, cache or anything above them.

export { Client, KubeconfigNotFoundError } from './client.js';
export type { ClientOptions } from './client.js';
export type { ResourceClient, StatusClient, ApplyObject } from './resource-client.js';
export { Discovery, resourcePath, resourceName } from './discovery.js';
export type { ApiResource } from './discovery.js';
export { KubeConfigTransport, queryString } from './transport.js';
export type { Transport, HttpRequest, HttpResponse, HttpStreamResponse, HttpMethod } from './transport.js';
export { objectKey, keyString, parseKeyString, parseApiVersion } from './kube-object.js';
export type {
  KubeObject,
  KubeList,
  ObjectMeta,
  ListMeta,
  OwnerReference,
  ManagedFieldsEntry,
  PartialObjectMetadata,
  TypeMeta,
  ObjectKey,
} from './kube-object.js';
export {
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
  errorFromResponse,
  isNotFound,
} from './errors.js';
export type { Verb, Status, StatusCause, ApiErrorContext, ApiErrorInit } from './errors.js';
export type {
  RequestOptions,
  GetOptions,
  ListOptions,
  WriteOptions,
  ApplyOptions,
  DeleteOptions,
  Patch,
  JsonPatchOperation,
  DeepPartial,
} from './options.js';
