// Figure 3: event-to-reconcile latency. One write at a time, paced, so the
// figure is the path from the API server to the reconciler, not a queue
// behind earlier writes. Subjects run one after another.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnGoSubject, spawnNodeSubject } from '../child.js';
import type { Subject } from '../child.js';
import { createNamespace, pacedUpdates, seedConfigMaps } from '../fixtures.js';
import type { Row } from '../report.js';
import { summarizeLag } from '../stats.js';
import type { LagSummary } from '../stats.js';
import type { FigureContext } from './context.js';

const OBJECTS = 100;

async function measure(
  ctx: FigureContext,
  namespace: string,
  who: string,
  start: (records: string) => Subject,
) {
  const records = join(ctx.scratch, `latency-${who}.txt`);
  const subject = start(records);
  try {
    await subject.ready();
    await new Promise((r) => setTimeout(r, ctx.sizes.settleMs)); // let the initial reconciles drain
    ctx.progress(`  ${who}: ${ctx.sizes.latencyRate} paced writes/s for ${ctx.sizes.latencySeconds} s`);
    const acks = await pacedUpdates(
      ctx.raw,
      namespace,
      OBJECTS,
      ctx.sizes.latencyRate,
      ctx.sizes.latencySeconds,
    );
    await new Promise((r) => setTimeout(r, ctx.sizes.settleMs));
    await subject.result({ finish: true });
    return summarizeLag(acks, await readFile(records, 'utf8'));
  } finally {
    subject.kill();
  }
}

export async function latencyFigure(ctx: FigureContext): Promise<Row[]> {
  const namespace = 'bench-latency';
  await createNamespace(ctx.raw, namespace);
  await seedConfigMaps(ctx.raw, namespace, 0, OBJECTS);
  const base = { kubeconfig: ctx.kubeconfig, namespace };
  const t = ctx.subjectTimeoutMs;
  const sb = await measure(ctx, namespace, 'switchboard', (records) =>
    spawnNodeSubject('switchboard-reconcile', { ...base, records, concurrency: 1, expect: 0 }, t),
  );
  const cr = await measure(ctx, namespace, 'controller-runtime', (records) =>
    spawnGoSubject(ctx.goBinary, 'reconcile', { ...base, records, concurrency: 1, expect: 0 }, t),
  );
  const raw = await measure(ctx, namespace, 'raw watch', (records) =>
    spawnNodeSubject('raw-watch', { ...base, records }, t),
  );
  ctx.detail('latency', { switchboard: sb, controllerRuntime: cr, raw });
  const figure = '3. Event → reconcile latency (no-op reconcile, concurrency 1)';
  const row = (metric: string, pick: (l: LagSummary) => number): Row => ({
    figure,
    metric,
    unit: 'ms',
    better: 'lower',
    switchboard: pick(sb),
    clientNode: null,
    controllerRuntime: pick(cr),
    raw: pick(raw),
    note: 'raw = the bare watch event',
  });
  return [row('p50 (write sent → reconcile)', (l) => l.p50Ms), row('p99', (l) => l.p99Ms)];
}
