/**
 * What a reconcile asks for next: a closed union with named constructors, so
 * "requeue" and "requeue after" can never be set at once by mistake.
 */

/** The object a reconcile is about, by key. */
export interface ReconcileRequest {
  /** Namespace, unset for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
  /** `namespace/name` or `name`: the work queue key. */
  readonly key: string;
}

/** How a reconcile ended; build one with {@link Outcome}. */
export type ReconcileOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'requeue' }
  | { readonly kind: 'requeueAfter'; readonly delayMs: number };

const DONE: ReconcileOutcome = Object.freeze({ kind: 'done' });
const REQUEUE: ReconcileOutcome = Object.freeze({ kind: 'requeue' });

/**
 * Constructors of {@link ReconcileOutcome}. Returning nothing from a
 * reconcile is the same as `Outcome.done()`.
 *
 * @example
 * if (!ready) return Outcome.requeueAfter(10_000); // look again in 10 s
 * return Outcome.done();
 */
export const Outcome = {
  /** Converged: wait for the next event. Resets the key's backoff. */
  done(): ReconcileOutcome {
    return DONE;
  },
  /** Not there yet: retry with the rate limiter's growing backoff. */
  requeue(): ReconcileOutcome {
    return REQUEUE;
  },
  /** Look again after `delayMs` (e.g. polling an external system). Resets the backoff. */
  requeueAfter(delayMs: number): ReconcileOutcome {
    if (!Number.isFinite(delayMs) || delayMs < 0)
      throw new RangeError(`requeueAfter needs a finite delay >= 0 ms, got ${delayMs}`);
    return { kind: 'requeueAfter', delayMs };
  },
} as const;

/**
 * An error that retrying cannot fix (invalid spec, unsupported version).
 * Thrown from a reconcile it is logged and counted like any error, but the
 * key is not retried until the object changes.
 *
 * @example
 * if (spec.replicas < 0) throw new TerminalError('spec.replicas must be >= 0', { reason: 'InvalidSpec' });
 */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  /** CamelCase reason, suitable for a condition or event. */
  readonly reason: string;
  constructor(message: string, opts: { reason?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.reason = opts.reason ?? 'TerminalError';
  }
}
