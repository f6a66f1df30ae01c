import { Client } from '../client/index.js';
import type { KubeObject } from '../client/index.js';
import { FakeApiServer } from '../../test/fakes/fake-api-server.js';
import { listWatch } from './list-watch.js';
import { TooManyRequestsError } from '../client/index.js';
import type { BackoffPolicy, WatchEvent, WatchRestartReason } from './types.js';

const CM = { apiVersion: 'v1', kind: 'ConfigMap' };

function setup(server: FakeApiServer, opts: { stallTimeoutMs?: number; backoff?: BackoffPolicy } = {}) {
  const client = new Client(server);
  client.discovery.register({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    name: 'configmaps',
    namespaced: true,
    verbs: [],
    subresources: [],
  });
  const abort = new AbortController();
  const restarts: WatchRestartReason[] = [];
  const errors: unknown[] = [];
  const events: WatchEvent<KubeObject>[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  const done = (async () => {
    for await (const ev of listWatch(client, CM, {
      signal: abort.signal,
      pageSize: 2,
      stallTimeoutMs: opts.stallTimeoutMs ?? 60_000,
      onRestart: (r) => restarts.push(r),
      onError: (e) => errors.push(e),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
    })) {
      events.push(ev);
      for (const w of [...waiters]) if (w.check()) w.resolve();
    }
  })();
  /** Resolves when the events seen so far satisfy `check`. */
  const until = (check: () => boolean): Promise<void> =>
    check() ? Promise.resolve() : new Promise((resolve) => waiters.push({ check, resolve }));
  const stop = async (): Promise<void> => {
    abort.abort();
    await done;
  };
  return { events, restarts, errors, until, stop };
}

const summary = (evs: WatchEvent<KubeObject>[]) =>
  evs.map((e) =>
    'object' in e ? `${e.type} ${e.object.metadata.name}@${e.object.metadata.resourceVersion}` : e.type,
  );

describe('listWatch', () => {
  it('lists every page, emits SYNCED, then streams changes from the list resourceVersion', async () => {
    const server = new FakeApiServer();
    server.put('a');
    server.put('b');
    server.put('c');
    const w = setup(server);
    await w.until(() => w.events.some((e) => e.type === 'SYNCED'));
    server.put('a', { x: '1' });
    server.remove('b');
    await w.until(() => w.events.length === 6);
    expect(summary(w.events)).toEqual([
      'ADDED a@101',
      'ADDED b@102',
      'ADDED c@103',
      'SYNCED',
      'MODIFIED a@104',
      'DELETED b@105',
    ]);
    const watchCall = server.calls.find((c) => c.query?.watch === 1);
    expect(watchCall?.query).toMatchObject({ resourceVersion: '103', allowWatchBookmarks: true });
    await w.stop();
  });

  it('resumes from the last resourceVersion after the server closes the watch, without relisting', async () => {
    const server = new FakeApiServer();
    server.put('a');
    const w = setup(server);
    await w.until(() => w.events.length === 2);
    server.put('b');
    await w.until(() => w.events.length === 3);
    server.closeWatches();
    server.put('c');
    await w.until(() => w.events.length === 4);
    expect(summary(w.events)).toEqual(['ADDED a@101', 'SYNCED', 'ADDED b@102', 'ADDED c@103']);
    expect(server.calls.filter((c) => c.query?.watch === undefined)).toHaveLength(1);
    expect(w.restarts).toEqual(['server-timeout']);
    await w.stop();
  });

  it('relists on 410 Gone and emits exactly the differences, deletes carrying the last state', async () => {
    const server = new FakeApiServer();
    server.put('keep');
    server.put('change');
    server.put('vanish');
    const w = setup(server);
    await w.until(() => w.events.length === 4);
    server.freezeWatches();
    server.closeWatches();
    // While disconnected: history is compacted, so resuming is impossible.
    server.put('change', { v: '2' });
    server.remove('vanish');
    server.put('new');
    server.compact();
    await w.until(() => w.events.filter((e) => e.type === 'SYNCED').length === 2);
    expect(summary(w.events.slice(4))).toEqual([
      'MODIFIED change@104',
      'ADDED new@106',
      'DELETED vanish@103',
      'SYNCED',
    ]);
    expect(w.events.at(-1)).toMatchObject({ type: 'SYNCED', relist: true });
    expect(w.restarts).toContain('gone');
    await w.stop();
  });

  it('restarts a watch that receives nothing for longer than the stall bound, missing nothing', async () => {
    const server = new FakeApiServer();
    server.put('a');
    const w = setup(server, { stallTimeoutMs: 200 });
    await w.until(() => w.events.length === 2);
    server.freezeWatches();
    server.put('during-stall');
    await w.until(() => w.events.some((e) => 'object' in e && e.object.metadata.name === 'during-stall'));
    expect(w.restarts).toContain('stalled');
    expect(summary(w.events)).toEqual(['ADDED a@101', 'SYNCED', 'ADDED during-stall@102']);
    await w.stop();
  });

  it('emits bookmarks and resumes from the bookmarked resourceVersion', async () => {
    const server = new FakeApiServer();
    server.put('a');
    const w = setup(server);
    await w.until(() => w.events.length === 2);
    server.put('b');
    server.bookmark();
    await w.until(() => w.events.some((e) => e.type === 'BOOKMARK'));
    server.closeWatches();
    server.put('c');
    await w.until(() => w.events.some((e) => 'object' in e && e.object.metadata.name === 'c'));
    expect(server.calls.filter((c) => c.query?.watch === 1)[1]?.query?.resourceVersion).toBe('102');
    await w.stop();
  });

  it('hands out deep-frozen objects', async () => {
    const server = new FakeApiServer();
    server.put('a', { k: 'v' });
    const w = setup(server);
    await w.until(() => w.events.length === 2);
    const first = w.events[0] as unknown as { object: KubeObject & { data: Record<string, string> } };
    expect(() => {
      first.object.data.k = 'changed';
    }).toThrow(TypeError);
    await w.stop();
  });

  it('backs off after a 429, honouring Retry-After, then resumes from where it was without relisting', async () => {
    const server = new FakeApiServer();
    server.put('a');
    server.failNextWatch(429, 'TooManyRequests', '0');
    const delays: number[] = [];
    const w = setup(server, { backoff: { next: () => (delays.push(5), 5), reset: () => {} } });
    await w.until(() => w.events.length === 2);
    server.put('b');
    await w.until(() => w.events.length === 3);
    expect(w.errors[0]).toBeInstanceOf(TooManyRequestsError);
    expect(delays).toEqual([5]);
    expect(server.calls.filter((c) => c.query?.watch === undefined)).toHaveLength(1);
    expect(server.calls.filter((c) => c.query?.watch === 1).map((c) => c.query?.resourceVersion)).toEqual([
      '101',
      '101',
    ]);
    await w.stop();
  });

  it('relists when the stream itself reports 410 Gone in an ERROR event', async () => {
    const server = new FakeApiServer();
    server.put('a');
    const w = setup(server);
    await w.until(() => w.events.length === 2);
    server.errorEvent(410, 'Expired');
    await w.until(() => w.events.filter((e) => e.type === 'SYNCED').length === 2);
    expect(w.restarts).toEqual(['gone']);
    expect(w.errors).toEqual([]);
    expect(summary(w.events)).toEqual(['ADDED a@101', 'SYNCED', 'SYNCED']);
    await w.stop();
  });
});
