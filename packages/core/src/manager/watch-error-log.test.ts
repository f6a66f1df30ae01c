import { ForbiddenError, TimeoutError } from '../client/index.js';
import { createLogger } from '../logging/index.js';
import { logWatchErrors } from './watch-error-log.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' };

function setup() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    format: 'json',
    level: 'debug',
    sink: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) },
    now: () => 0,
  });
  let now = 0;
  const log = logWatchErrors(logger, { now: () => now }, 60_000);
  return { lines, log, advance: (ms: number) => (now += ms) };
}

const forbidden = () =>
  new ForbiddenError({
    verb: 'list',
    resource: 'configmaps',
    code: 403,
    reason: 'Forbidden',
    message: 'configmaps is forbidden: User "system:serviceaccount:t:op" cannot list resource "configmaps"',
  });

describe('logWatchErrors', () => {
  it('names the kind, the namespace and the missing RBAC grant when a list is forbidden', () => {
    const { lines, log } = setup();
    log(forbidden(), CM, { namespace: 'team-a' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', kind: 'ConfigMap', namespace: 'team-a' });
    expect(lines[0]!['msg']).toBe(
      "not allowed to list and watch ConfigMap in namespace team-a: grant the operator's ServiceAccount list and watch on configmaps (its RBAC rules); the cache waits until it can",
    );
  });

  it('logs other failures as warnings that say it retries', () => {
    const { lines, log } = setup();
    log(
      new TimeoutError({ verb: 'watch', resource: 'configmaps', code: 504, reason: 'Timeout', message: 'x' }),
      CM,
      {},
    );
    expect(lines[0]).toMatchObject({
      level: 'warn',
      msg: 'list or watch of ConfigMap in all namespaces failed; retrying with backoff',
      namespace: '*',
    });
  });

  it('logs a failure that goes on once per interval per informer, counting the ones it left out', () => {
    const { lines, log, advance } = setup();
    for (let i = 0; i < 5; i++) {
      log(forbidden(), CM, { namespace: 'a' });
      advance(1000);
    }
    log(forbidden(), { apiVersion: 'v1', kind: 'Secret' }, { namespace: 'a' });
    expect(lines.map((l) => l['kind'])).toEqual(['ConfigMap', 'Secret']);
    advance(60_000);
    log(forbidden(), CM, { namespace: 'a' });
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ kind: 'ConfigMap', failuresSinceLastLog: 4 });
  });
});
