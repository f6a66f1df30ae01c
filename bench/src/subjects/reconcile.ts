// Figures 3, 4 and 5: a Switchboard controller built the one way users build
// it (Manager + builder), with a no-op reconciler that reads its object from
// the cache, or one that writes status once per object; and the raw-client
// limit for the status writes.
import { KubeConfig } from '@kubernetes/client-node';
import { Client, Manager, Outcome, silentLogger } from '@switchboard/core';
import type { ReconcileFunction, TypeMeta } from '@switchboard/core';
import { RawClient } from '../raw-client.js';
import { wallMs } from '../stats.js';
import { CONFIG_MAP, WIDGET, objectName } from '../objects.js';
import type { ConfigMap, Widget } from '../objects.js';
import { Recorder, emit, stdinClosed } from './protocol.js';
import type { SubjectOptions } from './protocol.js';

/** Counts reconciles; remembers the first start and the `expect`-th end. */
class Counter {
  count = 0;
  first: number | undefined;
  last: number | undefined;
  private resolve!: () => void;
  readonly reached = new Promise<void>((r) => (this.resolve = r));

  constructor(private readonly expect: number) {}

  begin(): void {
    this.first ??= wallMs();
  }

  end(): void {
    if (++this.count === this.expect) {
      this.last = wallMs();
      this.resolve();
    }
  }
}

async function runController(
  o: SubjectOptions,
  type: TypeMeta,
  reconcile: (mgr: Manager, counter: Counter) => ReconcileFunction,
  extra: () => Record<string, number>,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfig);
  const mgr = new Manager({
    client: Client.fromKubeConfig(kc),
    namespace: o.namespace,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    logger: silentLogger,
    processMetrics: false,
  });
  const expect = o.expect ?? 0;
  const counter = new Counter(expect);
  mgr
    .controller()
    .named('bench')
    .for(type)
    .withOptions({ maxConcurrentReconciles: o.concurrency ?? 1 })
    .build(reconcile(mgr, counter));
  const stop = new AbortController();
  const running = mgr.start(stop.signal);
  while (!mgr.ready()) await new Promise((r) => setTimeout(r, 5));
  emit({ event: 'ready' });
  await (expect > 0 ? counter.reached : stdinClosed());
  const result = { count: counter.count, firstMs: counter.first ?? 0, lastMs: counter.last ?? 0, ...extra() };
  stop.abort();
  await running;
  emit({ event: 'result', ...result });
}

/** No-op reconcile: one cached read (recording the resourceVersion it saw), then done. */
export async function switchboardReconcile(o: SubjectOptions): Promise<void> {
  const rec = new Recorder(o.records);
  await runController(
    o,
    CONFIG_MAP,
    (mgr, counter) => async (req) => {
      counter.begin();
      const cm = await mgr.cache.get<ConfigMap>(CONFIG_MAP, req).catch(() => undefined);
      rec.seen(cm?.metadata.resourceVersion);
      counter.end();
      return Outcome.done();
    },
    () => ({ records: rec.flush() }),
  );
}

/** One status write per Widget whose `status.observed` is not the run's token. */
export async function switchboardStatus(o: SubjectOptions): Promise<void> {
  const token = o.token ?? '';
  await runController(
    o,
    WIDGET,
    (mgr, counter) => async (req, ctx) => {
      counter.begin();
      const w = await mgr.cache.get<Widget>(WIDGET, req).catch(() => undefined);
      if (!w || w.status?.observed === token) return Outcome.done();
      await mgr.client
        .resource<Widget>(WIDGET)
        .status.patch(req, { type: 'merge', body: { status: { observed: token } } }, { signal: ctx.signal });
      counter.end();
      return Outcome.done();
    },
    () => ({}),
  );
}

/** The limit: the same status patches, `concurrency` at a time, with nothing around them. */
export async function rawStatus(o: SubjectOptions): Promise<void> {
  const concurrency = o.concurrency ?? 1;
  const raw = await RawClient.fromKubeconfig(o.kubeconfig, concurrency);
  const n = o.objects ?? 0;
  const body = JSON.stringify({ status: { observed: o.token ?? '' } });
  let next = 0;
  const first = wallMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const name = objectName('widget', next++);
        await raw.expectOk(
          'PATCH',
          `/apis/bench.switchboard.dev/v1/namespaces/${o.namespace}/widgets/${name}/status`,
          body,
          'application/merge-patch+json',
        );
      }
    }),
  );
  const last = wallMs();
  raw.close();
  emit({ event: 'result', count: n, firstMs: first, lastMs: last });
}
