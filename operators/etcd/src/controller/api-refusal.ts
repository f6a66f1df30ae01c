// When the API server refuses an object the operator rendered from the spec
// (a member Pod whose resources request more than their limit, a Pod the
// namespace's Pod Security level forbids, an affinity term it cannot parse),
// the pass cannot go on and retrying at once changes nothing: the CRD's
// schema catches what it can at `kubectl apply` (../api/field-rules.ts);
// this reports the rest where the user looks.
//
// Guarantees
// - The refusal is the Degraded condition (reason RefusedByAPIServer, the
//   API server's own message, which names the object and the field) and one
//   Warning Event, recorded when Degraded turns to this message.
// - It stays Degraded, whatever else the pass computes, until a pass carries
//   out its step without a refusal; then the pass's own verdict is written
//   again. No flapping between two reasons, no Event per pass.
// Caveats
// - Only refusals of a write (422 Invalid, 403 Forbidden: validation,
//   admission, RBAC) are reported so; other errors are thrown and retried
//   with backoff as before.
import type { ApiError, Client, Condition, ObjectKey } from '@switchboard/core';
import { ForbiddenError, InvalidError, findStatusCondition, setStatusCondition } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import { EtcdClusterResource } from '../api/crd.js';
import { ConditionType } from '../api/types.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import type { EventSink } from './step-context.js';

/** Reason of the Degraded condition and the Warning Event while the API server refuses a rendered object. */
export const API_REFUSAL_REASON = 'RefusedByAPIServer';

/** True for an API server refusal of a write: the object is invalid or not allowed. */
export function isApiRefusal(err: unknown): err is ApiError {
  return err instanceof InvalidError || err instanceof ForbiddenError;
}

function degraded(conditions: readonly Condition[] | undefined): Condition | undefined {
  return findStatusCondition(conditions, ConditionType.Degraded);
}

/** True when the last written Degraded condition is a refusal. */
export function refusalOnRecord(conditions: readonly Condition[] | undefined): boolean {
  const d = degraded(conditions);
  return d?.status === 'True' && d.reason === API_REFUSAL_REASON;
}

/**
 * `computed` with the Degraded condition of `previous` kept when it records a
 * refusal: it stands until a pass gets through (see {@link clearRefusal}).
 */
export function keepRefusal(previous: readonly Condition[] | undefined, computed: Condition[]): Condition[] {
  const refusal = degraded(previous);
  if (!refusalOnRecord(previous) || refusal === undefined) return computed;
  return computed.map((c) => (c.type === ConditionType.Degraded ? refusal : c));
}

/** What a refusal report needs. */
export interface RefusalContext {
  client: Client;
  events: EventSink;
  signal?: AbortSignal;
}

/**
 * Records a refusal: Degraded=True with the API server's message on top of
 * `conditions` (the last written), and a Warning Event when that message is
 * new.
 */
export async function reportApiRefusal(
  ctx: RefusalContext,
  key: ObjectKey,
  cluster: EtcdCluster,
  conditions: readonly Condition[] | undefined,
  err: ApiError,
): Promise<void> {
  const message = `the API server refused an object rendered from the spec: ${err.message}`;
  const before = degraded(conditions);
  const next = setStatusCondition(
    [...(conditions ?? [])],
    {
      type: ConditionType.Degraded,
      status: 'True',
      observedGeneration: cluster.metadata.generation ?? 0,
      reason: API_REFUSAL_REASON,
      message,
    },
    new Date(),
  );
  await writeConditions(ctx, key, next);
  if (!(refusalOnRecord(conditions) && before?.message === message))
    await ctx.events.record(cluster, 'Warning', API_REFUSAL_REASON, message);
}

/** Writes `computed` (the pass's own verdict) over a refusal kept by {@link keepRefusal}. */
export async function clearRefusal(
  ctx: RefusalContext,
  key: ObjectKey,
  computed: Condition[],
): Promise<void> {
  await writeConditions(ctx, key, computed);
}

async function writeConditions(ctx: RefusalContext, key: ObjectKey, conditions: Condition[]): Promise<void> {
  await EtcdClusterResource.client(ctx.client).status.patch(
    key,
    { type: 'merge', body: { status: { conditions } } },
    { fieldManager: FIELD_MANAGER, ...(ctx.signal ? { signal: ctx.signal } : {}) },
  );
}
