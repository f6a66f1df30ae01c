// An in-memory stand-in for one resource of the API server, for unit tests of
// the watch and cache logic: objects with resourceVersions, an event log that
// can be compacted (watching from before it answers 410 Gone), and watch
// streams that can be frozen to imitate a connection that died silently.

import type {
  HttpRequest,
  HttpResponse,
  HttpStreamResponse,
  KubeObject,
  Transport,
} from '../../src/client/index.js';

interface LoggedEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

interface OpenWatch {
  push(line: string): void;
  frozen: boolean;
  close(): void;
}

/** One fake resource served over the Transport interface. */
export class FakeApiServer implements Transport {
  private rv = 100;
  private compactedRv = 0;
  private readonly objects = new Map<string, KubeObject>();
  private readonly log: LoggedEvent[] = [];
  private readonly watches = new Set<OpenWatch>();
  private nextWatchFailure: { status: number; reason: string; retryAfter: string | undefined } | undefined;
  /** Every request and stream, in order (for assertions on what was asked). */
  readonly calls: HttpRequest[] = [];

  /** Creates or replaces an object, logging ADDED or MODIFIED. */
  put(name: string, data: Record<string, string> = {}, namespace = 'default'): KubeObject {
    const key = `${namespace}/${name}`;
    const type = this.objects.has(key) ? 'MODIFIED' : 'ADDED';
    const obj: KubeObject & { data: Record<string, string> } = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace, resourceVersion: String(++this.rv), uid: `uid-${name}` },
      data,
    };
    this.objects.set(key, obj);
    this.emit({ rv: this.rv, type, object: obj });
    return obj;
  }

  /** Deletes an object, logging DELETED. */
  remove(name: string, namespace = 'default'): void {
    const key = `${namespace}/${name}`;
    const old = this.objects.get(key);
    if (!old) throw new Error(`no ${key}`);
    this.objects.delete(key);
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.rv) } };
    this.emit({ rv: this.rv, type: 'DELETED', object: gone });
  }

  /** Forgets history up to now: watches from an older resourceVersion get 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.log.length = 0;
  }

  /** Answers the next watch request with this HTTP error instead of a stream. */
  failNextWatch(status: number, reason: string, retryAfter?: string): void {
    this.nextWatchFailure = { status, reason, retryAfter };
  }

  /** Sends an in-stream ERROR event (a metav1.Status) on every open watch, then closes them. */
  errorEvent(code: number, reason: string): void {
    for (const w of this.watches) {
      w.push(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code, reason, message: reason } }));
      w.close();
    }
  }

  /** Ends every open watch stream (as a server-side timeout would). */
  closeWatches(): void {
    for (const w of this.watches) w.close();
  }

  /** Stops sending on every open watch without closing it (a silently dead connection). */
  freezeWatches(): void {
    for (const w of this.watches) w.frozen = true;
  }

  /** Sends a bookmark on every open watch. */
  bookmark(): void {
    for (const w of this.watches) {
      w.push(
        JSON.stringify({
          type: 'BOOKMARK',
          object: { kind: 'ConfigMap', metadata: { resourceVersion: String(this.rv) } },
        }),
      );
    }
  }

  get openWatches(): number {
    return this.watches.size;
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    this.calls.push(req);
    const items = [...this.objects.values()];
    const limit = Number(req.query?.limit ?? items.length);
    const start = Number(req.query?.continue ?? 0);
    const page = items.slice(start, start + limit);
    const next = start + limit < items.length ? String(start + limit) : undefined;
    const body = {
      metadata: { resourceVersion: String(this.rv), ...(next ? { continue: next } : {}) },
      items: page,
    };
    return Promise.resolve({ status: 200, body: structuredClone(body), header: () => undefined });
  }

  stream(req: HttpRequest): Promise<HttpStreamResponse> {
    this.calls.push(req);
    const from = Number(req.query?.resourceVersion ?? 0);
    const failure = this.nextWatchFailure;
    if (failure) {
      this.nextWatchFailure = undefined;
      const status = {
        kind: 'Status',
        code: failure.status,
        reason: failure.reason,
        message: failure.reason,
      };
      const header = (n: string): string | undefined =>
        n === 'retry-after' ? failure.retryAfter : undefined;
      return Promise.resolve({
        status: failure.status,
        body: status,
        header,
        lines: none(),
        close: () => {},
      });
    }
    if (from < this.compactedRv) {
      const status = { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' };
      return Promise.resolve({
        status: 410,
        body: status,
        header: () => undefined,
        lines: none(),
        close: () => {},
      });
    }
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const watch: OpenWatch = {
      frozen: false,
      push: (line) => {
        if (watch.frozen || ended) return;
        queue.push(line);
        wake?.();
      },
      close: () => {
        ended = true;
        this.watches.delete(watch);
        wake?.();
      },
    };
    for (const e of this.log) if (e.rv > from) queue.push(JSON.stringify({ type: e.type, object: e.object }));
    this.watches.add(watch);
    const signal = req.signal;
    const onAbort = (): void => watch.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    const watches = this.watches;
    async function* lines(): AsyncGenerator<string> {
      try {
        for (;;) {
          while (queue.length > 0) yield queue.shift()!;
          if (ended) {
            if (signal?.aborted) throw signal.reason;
            return;
          }
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        watches.delete(watch);
        signal?.removeEventListener('abort', onAbort);
      }
    }
    return Promise.resolve({
      status: 200,
      body: undefined,
      header: () => undefined,
      lines: lines(),
      close: () => watch.close(),
    });
  }

  private emit(e: LoggedEvent): void {
    this.log.push(e);
    for (const w of this.watches) w.push(JSON.stringify({ type: e.type, object: e.object }));
  }
}

async function* none(): AsyncGenerator<string> {}
