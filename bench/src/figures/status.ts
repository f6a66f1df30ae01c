// Figure 5: reconciles that each write status once. The API server bounds
// this, so the figure that matters is the ratio to the raw client doing the
// same patches at the same concurrency. Every run gets a new token, so every
// object needs exactly one write.
import { spawnGoSubject, spawnNodeSubject } from '../child.js';
import { createNamespace, installWidgetCrd, seedWidgets } from '../fixtures.js';
import type { Row } from '../report.js';
import { perSecond } from './context.js';
import type { FigureContext } from './context.js';

export async function statusFigure(ctx: FigureContext): Promise<Row[]> {
  const namespace = 'bench-status';
  const n = ctx.sizes.statusObjects;
  const concurrency = ctx.sizes.statusConcurrency;
  await installWidgetCrd(ctx.raw);
  await createNamespace(ctx.raw, namespace);
  ctx.progress(`  creating ${n} Widgets`);
  await seedWidgets(ctx.raw, namespace, n);
  const base = { kubeconfig: ctx.kubeconfig, namespace, concurrency, expect: n };
  const t = ctx.subjectTimeoutMs;
  ctx.progress(`  raw status patches, ${n} at concurrency ${concurrency}`);
  const raw = await spawnNodeSubject('raw-status', { ...base, objects: n, token: 'raw' }, t).result();
  ctx.progress('  switchboard status reconciles');
  const sb = await spawnNodeSubject('switchboard-status', { ...base, token: 'switchboard' }, t).result();
  ctx.progress('  controller-runtime status reconciles');
  const cr = await spawnGoSubject(
    ctx.goBinary,
    'status',
    { ...base, token: 'controller-runtime' },
    t,
  ).result();
  ctx.detail('status', { switchboard: sb, controllerRuntime: cr, raw });
  return [
    {
      figure: `5. One status write per object, ${n.toLocaleString('en-US')} Widgets, concurrency ${concurrency}`,
      metric: 'status writes/s',
      unit: 'writes/s',
      better: 'higher',
      switchboard: perSecond(sb),
      clientNode: null,
      controllerRuntime: perSecond(cr),
      raw: perSecond(raw),
      note: 'the SB ÷ raw ratio is the figure that matters',
    },
  ];
}
