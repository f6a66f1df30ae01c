// Typed API errors. The API server answers failures with a metav1.Status
// object; we sort it once, here, into a class per reason so callers branch on
// `instanceof` (or the stable `reason`), never on message text. Every error
// says which verb on which resource and which object failed.

import { keyString } from './kube-object.js';
import type { ObjectKey } from './kube-object.js';

/** The verbs the client issues, as named in RBAC and audit logs. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'discover';

/** One field-level cause from a Status object's `details.causes`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A metav1.Status object, as returned in error bodies and watch ERROR events. */
export interface Status {
  apiVersion?: string;
  kind?: 'Status';
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
}

/** Where an error happened: the verb, the resource (e.g. "configmaps" or "deployments.apps") and the key. */
export interface ApiErrorContext {
  verb: Verb;
  resource: string;
  key?: ObjectKey;
}

/** Options for constructing an {@link ApiError}. */
export interface ApiErrorInit extends ApiErrorContext {
  code: number;
  reason: string;
  message: string;
  status?: Status;
  cause?: unknown;
}

/**
 * A failed API call. `code` is the HTTP status (0 when no response came),
 * `reason` the Status reason (e.g. "NotFound").
 */
export class ApiError extends Error {
  /** HTTP status code, or 0 when the request never got an answer. */
  readonly code: number;
  /** The metav1.Status reason, e.g. "Conflict"; "Unknown" when the server gave none. */
  readonly reason: string;
  /** The verb that failed. */
  readonly verb: Verb;
  /** The resource, as `plural` or `plural.group`. */
  readonly resource: string;
  /** The object the call was about, when there was one. */
  readonly key: ObjectKey | undefined;
  /** The Status object the server returned, if any. */
  readonly status: Status | undefined;

  constructor(init: ApiErrorInit) {
    const where = `${init.verb} ${init.resource}${init.key ? ` ${keyString(init.key)}` : ''}`;
    super(`${where}: ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.reason = init.reason;
    this.verb = init.verb;
    this.resource = init.resource;
    this.key = init.key;
    this.status = init.status;
  }
}

/** 404: the object (or the resource type) does not exist. */
export class NotFoundError extends ApiError {}
/**
 * 409 Conflict: a stale resourceVersion on update (or in a patch that carries
 * one), a delete whose preconditions (uid, resourceVersion) no longer hold, or
 * a server-side apply field conflict.
 */
export class ConflictError extends ApiError {}
/** 409 AlreadyExists: create of an object whose name is taken. */
export class AlreadyExistsError extends ApiError {}
/** 403: RBAC denied the call. */
export class ForbiddenError extends ApiError {}
/** 401: the credentials were not accepted. */
export class UnauthorizedError extends ApiError {}
/** 410: the requested resourceVersion has been compacted away; relist. */
export class GoneError extends ApiError {}
/** 504 / 408 / a client-side timeout: the call did not complete in time. */
export class TimeoutError extends ApiError {}

/** 422: the object failed validation; `causes` lists the offending fields. */
export class InvalidError extends ApiError {
  /** Field-level causes from the Status object. */
  readonly causes: readonly StatusCause[];
  constructor(init: ApiErrorInit) {
    super(init);
    this.causes = init.status?.details?.causes ?? [];
  }
}

/** 429: the server asks to slow down; wait `retryAfterSeconds` before retrying. */
export class TooManyRequestsError extends ApiError {
  /** Seconds to wait, from the Retry-After header or the Status details (default 1). */
  readonly retryAfterSeconds: number;
  constructor(init: ApiErrorInit & { retryAfterSeconds?: number }) {
    super(init);
    this.retryAfterSeconds = init.retryAfterSeconds ?? init.status?.details?.retryAfterSeconds ?? 1;
  }
}

function isStatus(body: unknown): body is Status {
  return typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status';
}

/**
 * Builds the typed error for a failed response. `body` is the parsed response
 * body (a Status object when the API server produced it; anything else from a
 * proxy in between).
 */
export function errorFromResponse(
  ctx: ApiErrorContext,
  code: number,
  body: unknown,
  retryAfterHeader?: string | null,
): ApiError {
  const status = isStatus(body) ? body : undefined;
  const reason = status?.reason ?? reasonForCode(code);
  const message =
    status?.message ?? (typeof body === 'string' && body !== '' ? body.slice(0, 500) : `HTTP ${code}`);
  const init: ApiErrorInit = { ...ctx, code: status?.code ?? code, reason, message, status };
  switch (true) {
    case reason === 'AlreadyExists':
      return new AlreadyExistsError(init);
    case reason === 'Conflict' || code === 409:
      return new ConflictError(init);
    case reason === 'NotFound' || code === 404:
      return new NotFoundError(init);
    case reason === 'Invalid' || code === 422:
      return new InvalidError(init);
    case reason === 'Forbidden' || code === 403:
      return new ForbiddenError(init);
    case reason === 'Unauthorized' || code === 401:
      return new UnauthorizedError(init);
    case reason === 'Expired' || reason === 'Gone' || code === 410:
      return new GoneError(init);
    case reason === 'TooManyRequests' || code === 429: {
      const header = retryAfterHeader == null ? NaN : Number(retryAfterHeader);
      return new TooManyRequestsError({
        ...init,
        ...(Number.isFinite(header) ? { retryAfterSeconds: header } : {}),
      });
    }
    case reason === 'Timeout' || reason === 'ServerTimeout' || code === 504 || code === 408:
      return new TimeoutError(init);
    default:
      return new ApiError(init);
  }
}

function reasonForCode(code: number): string {
  const reasons: Record<number, string> = {
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    409: 'Conflict',
    410: 'Gone',
    422: 'Invalid',
    429: 'TooManyRequests',
    504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}

/** True when `err` is a {@link NotFoundError}; handy for "delete if exists" code. */
export function isNotFound(err: unknown): err is NotFoundError {
  return err instanceof NotFoundError;
}
