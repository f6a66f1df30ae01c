// What the Manager logs when an informer's list or watch fails. The informer
// backs off and tries again on its own, so without a log line a missing RBAC
// rule shows only as a cache that never syncs. A failure is logged when it
// starts, then at most once per interval while it goes on (with how many were
// not logged), so a long outage does not flood the log.
import { ForbiddenError, UnauthorizedError } from '../client/index.js';
import type { TypeMeta } from '../client/index.js';
import type { InformerSelection } from '../cache/index.js';
import type { Logger } from '../logging/index.js';
import type { Clock } from '../queue/index.js';

/** Least time between two log lines for the failures of one informer. */
export const WATCH_ERROR_LOG_INTERVAL_MS = 60_000;

/** A callback for `InformerFactoryOptions.onWatchError` that logs through `logger`. */
export function logWatchErrors(
  logger: Logger,
  clock: Pick<Clock, 'now'>,
  intervalMs = WATCH_ERROR_LOG_INTERVAL_MS,
): (err: unknown, type: TypeMeta, selection: InformerSelection) => void {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (err, type, selection) => {
    const where = selection.namespace === undefined ? 'all namespaces' : `namespace ${selection.namespace}`;
    const id = `${type.apiVersion}/${type.kind} ${where} ${selection.labelSelector ?? ''} ${selection.fieldSelector ?? ''}`;
    const now = clock.now();
    const seen = last.get(id);
    if (seen && now - seen.at < intervalMs) {
      seen.suppressed++;
      return;
    }
    last.set(id, { at: now, suppressed: 0 });
    const fields = {
      kind: type.kind,
      apiVersion: type.apiVersion,
      namespace: selection.namespace ?? '*',
      ...(seen && seen.suppressed > 0 ? { failuresSinceLastLog: seen.suppressed } : {}),
      err: err instanceof Error ? err : String(err),
    };
    if (err instanceof ForbiddenError) {
      logger.error(
        `not allowed to list and watch ${type.kind} in ${where}: grant the operator's ServiceAccount list and watch on ${err.resource} (its RBAC rules); the cache waits until it can`,
        fields,
      );
    } else if (err instanceof UnauthorizedError) {
      logger.error(`the API server did not accept the operator's credentials for ${type.kind}`, fields);
    } else {
      logger.warn(`list or watch of ${type.kind} in ${where} failed; retrying with backoff`, fields);
    }
  };
}
