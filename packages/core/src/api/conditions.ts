/**
 * Status conditions with metav1.Condition semantics (k8s.io/apimachinery
 * `meta.SetStatusCondition`): one condition per type, `lastTransitionTime`
 * moves only when `status` changes.
 */
import type { ObjectKey, ResourceClient, KubeObject } from '../client/index.js';
import { ConflictError } from '../client/index.js';

/** A condition's status. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** metav1.Condition in its JSON form. */
export interface Condition {
  /** CamelCase type, e.g. `Ready`, unique in the list. */
  type: string;
  status: ConditionStatus;
  /** CamelCase machine-readable reason, e.g. `ConfigMapCreated`. */
  reason: string;
  /** Human-readable detail; may be empty. */
  message: string;
  /** The `metadata.generation` the condition was computed from. */
  observedGeneration?: number;
  /** RFC 3339 time of the last status change. */
  lastTransitionTime: string;
}

/** What a caller sets; the time is filled in. */
export type ConditionInput = Omit<Condition, 'lastTransitionTime' | 'message'> & { message?: string };

const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const TYPE =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z'); // metav1.Time has second precision
}

/**
 * Returns a new list with `input` set: added if its type is new; otherwise
 * updated, keeping `lastTransitionTime` unless the status changed.
 *
 * @throws TypeError when type or reason break metav1.Condition's validation
 * (the API server would reject the write).
 *
 * @example
 * status.conditions = setStatusCondition(status.conditions, {
 *   type: 'Ready', status: 'True', reason: 'Reconciled', observedGeneration: obj.metadata.generation,
 * });
 */
export function setStatusCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  now: Date = new Date(),
): Condition[] {
  if (!TYPE.test(input.type))
    throw new TypeError(
      `condition type ${JSON.stringify(input.type)} is not a valid CamelCase or qualified name`,
    );
  if (!REASON.test(input.reason))
    throw new TypeError(
      `condition reason ${JSON.stringify(input.reason)} must be CamelCase (letters, digits, _ , :)`,
    );
  const list = (conditions ?? []).map((c) => ({ ...c }));
  const existing = list.find((c) => c.type === input.type);
  if (existing === undefined) {
    list.push({ ...input, message: input.message ?? '', lastTransitionTime: rfc3339(now) });
    return list;
  }
  if (existing.status !== input.status) existing.lastTransitionTime = rfc3339(now);
  existing.status = input.status;
  existing.reason = input.reason;
  existing.message = input.message ?? '';
  if (input.observedGeneration !== undefined) existing.observedGeneration = input.observedGeneration;
  return list;
}

/** The condition of `type`, if present. */
export function findStatusCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Returns a new list without the condition of `type`. */
export function removeStatusCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** True when the condition of `type` is present with status `True`. */
export function isStatusConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findStatusCondition(conditions, type)?.status === 'True';
}

/** True when the condition of `type` is present with status `False`. */
export function isStatusConditionFalse(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findStatusCondition(conditions, type)?.status === 'False';
}

/** Options of {@link updateStatus}. */
export interface UpdateStatusOptions {
  /** Attempts before a ConflictError is passed on. Default 5. */
  attempts?: number;
  /** Cancels the read-modify-write loop. */
  signal?: AbortSignal;
  /** Field manager recorded for the write. Default: the client's. */
  fieldManager?: string;
}

/**
 * Read-modify-write of the status subresource that never clobbers a
 * concurrent writer: reads the current object, lets `mutate` change its
 * status, and writes it with the resourceVersion it read. On a conflict it
 * reads again and re-applies `mutate` (so `mutate` must be a function of
 * the object it is given, e.g. `setStatusCondition` on its own types).
 *
 * @returns the object as written.
 */
export async function updateStatus<T extends KubeObject>(
  resource: ResourceClient<T>,
  key: ObjectKey,
  mutate: (current: T) => T | void,
  opts: UpdateStatusOptions = {},
): Promise<T> {
  const attempts = opts.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const current = await resource.get(key, { signal: opts.signal });
    const next = mutate(current) ?? current;
    try {
      return await resource.status.update(next, { signal: opts.signal, fieldManager: opts.fieldManager });
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= attempts) throw err;
    }
  }
}

/** An object whose status holds metav1 conditions. */
export interface ObjectWithConditions extends KubeObject {
  status?: { conditions?: Condition[] };
}

/**
 * Sets conditions on the status subresource, leaving every other condition
 * (and every other status field) as the server has it. Retries on conflict.
 */
export function patchStatusConditions<T extends ObjectWithConditions>(
  resource: ResourceClient<T>,
  key: ObjectKey,
  inputs: readonly ConditionInput[],
  opts: UpdateStatusOptions & { now?: Date } = {},
): Promise<T> {
  return updateStatus(
    resource,
    key,
    (current) => {
      let conditions = current.status?.conditions;
      for (const input of inputs) conditions = setStatusCondition(conditions, input, opts.now);
      return { ...current, status: { ...current.status, conditions } };
    },
    opts,
  );
}
