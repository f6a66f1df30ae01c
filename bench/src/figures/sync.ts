// Figures 1 and 6: initial sync of N ConfigMaps into a fresh informer, and
// what the cache costs at rest. Each subject runs alone in its own process,
// one after another, so none sees another's memory or CPU.
import { spawnGoSubject, spawnNodeSubject } from '../child.js';
import type { SubjectResult } from '../child.js';
import type { Row } from '../report.js';
import { MiB } from './context.js';
import type { FigureContext } from './context.js';

type Variant = 'strip' | 'keep' | 'metadata';

async function node(
  ctx: FigureContext,
  mode: string,
  namespace: string,
  variant?: Variant,
): Promise<SubjectResult> {
  ctx.progress(`  ${mode}${variant ? ` (${variant})` : ''}`);
  const opts = { kubeconfig: ctx.kubeconfig, namespace, variant, settleMs: ctx.sizes.settleMs };
  const s = spawnNodeSubject(mode, opts, ctx.subjectTimeoutMs);
  return s.result();
}

async function go(ctx: FigureContext, namespace: string, variant: Variant): Promise<SubjectResult> {
  ctx.progress(`  controller-runtime sync (${variant})`);
  const flags = {
    kubeconfig: ctx.kubeconfig,
    namespace,
    strip: variant === 'strip',
    'metadata-only': variant === 'metadata',
    'settle-ms': ctx.sizes.settleMs,
  };
  return spawnGoSubject(ctx.goBinary, 'sync', flags, ctx.subjectTimeoutMs).result();
}

const perObject = (r: SubjectResult | undefined): number | null =>
  r ? Number(r.heapBytes) / Number(r.objects) : null;
const mib = (r: SubjectResult | undefined, key: string): number | null => (r ? Number(r[key]) / MiB : null);

/**
 * Measures figure 1 for the `n` objects now in `namespace`; when `withRest`,
 * also figure 6 (every managedFields / metadata-only variant).
 */
export async function syncFigures(
  ctx: FigureContext,
  namespace: string,
  n: number,
  withRest: boolean,
): Promise<Row[]> {
  const sb = await node(ctx, 'switchboard-sync', namespace, 'strip');
  const cn = await node(ctx, 'client-node-sync', namespace);
  const cr = await go(ctx, namespace, 'strip');
  const raw = await node(ctx, 'raw-list', namespace);
  ctx.detail(`sync-${n}`, { switchboard: sb, clientNode: cn, controllerRuntime: cr, raw });
  const figure = `1. Initial sync, ${n.toLocaleString('en-US')} ConfigMaps (1 KiB)`;
  const rows: Row[] = [
    {
      figure,
      metric: 'time to synced',
      unit: 'ms',
      better: 'lower',
      switchboard: Number(sb.syncMs),
      clientNode: Number(cn.syncMs),
      controllerRuntime: Number(cr.syncMs),
      raw: Number(raw.syncMs),
      note: 'raw = one unpaged list, bytes read and dropped',
    },
    {
      figure,
      metric: 'peak RSS',
      unit: 'MiB',
      better: 'lower',
      switchboard: mib(sb, 'peakRssBytes'),
      clientNode: mib(cn, 'peakRssBytes'),
      controllerRuntime: mib(cr, 'peakRssBytes'),
      raw: null,
    },
    {
      figure,
      metric: 'live heap per cached object',
      unit: 'bytes',
      better: 'lower',
      switchboard: perObject(sb),
      clientNode: perObject(cn),
      controllerRuntime: perObject(cr),
      raw: null,
      note: 'client-node keeps managedFields (it cannot drop them)',
    },
  ];
  if (!withRest) return rows;

  const sbKeep = await node(ctx, 'switchboard-sync', namespace, 'keep');
  const sbMeta = await node(ctx, 'switchboard-sync', namespace, 'metadata');
  const crKeep = await go(ctx, namespace, 'keep');
  const crMeta = await go(ctx, namespace, 'metadata');
  ctx.detail(`rest-${n}`, { sbKeep, sbMeta, crKeep, crMeta });
  const rest = `6. Memory at rest, ${n.toLocaleString('en-US')} cached ConfigMaps`;
  const restRow = (
    metric: string,
    s: SubjectResult,
    c: SubjectResult,
    clientNode: SubjectResult | null,
  ): Row[] => [
    {
      figure: rest,
      metric: `RSS, ${metric}`,
      unit: 'MiB',
      better: 'lower',
      switchboard: mib(s, 'restRssBytes'),
      clientNode: clientNode ? mib(clientNode, 'restRssBytes') : null,
      controllerRuntime: mib(c, 'restRssBytes'),
      raw: null,
    },
    {
      figure: rest,
      metric: `heap per object, ${metric}`,
      unit: 'bytes',
      better: 'lower',
      switchboard: perObject(s),
      clientNode: clientNode ? perObject(clientNode) : null,
      controllerRuntime: perObject(c),
      raw: null,
    },
  ];
  const baseRow: Row = {
    figure: rest,
    metric: 'RSS before the informer starts (runtime and libraries)',
    unit: 'MiB',
    better: 'lower',
    switchboard: mib(sb, 'baseRssBytes'),
    clientNode: mib(cn, 'baseRssBytes'),
    controllerRuntime: mib(cr, 'baseRssBytes'),
    raw: null,
  };
  return [
    ...rows,
    baseRow,
    ...restRow('managedFields stripped', sb, cr, null),
    ...restRow('managedFields kept', sbKeep, crKeep, cn),
    ...restRow('metadata-only', sbMeta, crMeta, null),
  ];
}
