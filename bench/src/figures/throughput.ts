// Figure 4: no-op reconcile throughput over every object of a namespace (the
// initial list enqueues them all), at several concurrencies; and the work
// queue alone.
import { spawnGoSubject, spawnNodeSubject } from '../child.js';
import type { Row } from '../report.js';
import { perSecond } from './context.js';
import type { FigureContext } from './context.js';

export async function throughputFigure(ctx: FigureContext, namespace: string, n: number): Promise<Row[]> {
  const figure = `4. No-op reconcile throughput, ${n.toLocaleString('en-US')} ConfigMaps`;
  const rows: Row[] = [];
  const base = { kubeconfig: ctx.kubeconfig, namespace, expect: n };
  for (const concurrency of ctx.sizes.concurrencies) {
    ctx.progress(`  reconcile ${n} at concurrency ${concurrency}`);
    const sb = await spawnNodeSubject(
      'switchboard-reconcile',
      { ...base, concurrency },
      ctx.subjectTimeoutMs,
    ).result();
    const cr = await spawnGoSubject(
      ctx.goBinary,
      'reconcile',
      { ...base, concurrency },
      ctx.subjectTimeoutMs,
    ).result();
    ctx.detail(`throughput-${concurrency}`, { switchboard: sb, controllerRuntime: cr });
    rows.push({
      figure,
      metric: `reconciles/s at concurrency ${concurrency}`,
      unit: 'reconciles/s',
      better: 'higher',
      switchboard: perSecond(sb),
      clientNode: null,
      controllerRuntime: perSecond(cr),
      raw: null,
    });
  }
  ctx.progress(`  work queue alone, ${ctx.sizes.queueItems} items`);
  const items = ctx.sizes.queueItems;
  const sbQ = await spawnNodeSubject(
    'switchboard-queue',
    { kubeconfig: '', namespace: '', items },
    ctx.subjectTimeoutMs,
  ).result();
  const crQ = await spawnGoSubject(ctx.goBinary, 'queue', { ops: items }, ctx.subjectTimeoutMs).result();
  ctx.detail('queue', { switchboard: sbQ, controllerRuntime: crQ });
  rows.push({
    figure,
    metric: 'work queue alone: add + get + done',
    unit: 'items/s',
    better: 'higher',
    switchboard: Number(sbQ.itemsPerSec),
    clientNode: null,
    controllerRuntime: Number(crQ.priorityQueueItemsPerSec),
    raw: null,
    note: `controller-runtime's default priority queue; client-go's workqueue: ${Math.round(Number(crQ.clientGoItemsPerSec)).toLocaleString('en-US')}/s`,
  });
  return rows;
}
