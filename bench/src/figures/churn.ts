// Figure 2: watch delivery under churn. Every watcher runs at once, in its own
// process, on the same stream of writes (they share the machine, as they
// would share a cluster), and each records when every update reached it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnGoSubject, spawnNodeSubject } from '../child.js';
import type { Subject } from '../child.js';
import { churn, createNamespace, seedConfigMaps } from '../fixtures.js';
import type { Row } from '../report.js';
import { summarizeLag } from '../stats.js';
import type { LagSummary } from '../stats.js';
import type { FigureContext } from './context.js';

/** Objects the churn spreads its writes over. */
const CHURN_OBJECTS = 1000;

export async function churnFigure(ctx: FigureContext): Promise<Row[]> {
  const { churnRate, churnSeconds } = ctx.sizes;
  const namespace = 'bench-churn';
  const objects = Math.min(CHURN_OBJECTS, Math.max(10, churnRate));
  await createNamespace(ctx.raw, namespace);
  await seedConfigMaps(ctx.raw, namespace, 0, objects);
  const records = (who: string): string => join(ctx.scratch, `churn-${who}.txt`);
  const opts = (who: string) => ({ kubeconfig: ctx.kubeconfig, namespace, records: records(who) });
  const t = ctx.subjectTimeoutMs;
  const subjects: Record<string, Subject> = {
    switchboard: spawnNodeSubject('switchboard-watch', opts('switchboard'), t),
    clientNode: spawnNodeSubject('client-node-watch', opts('client-node'), t),
    controllerRuntime: spawnGoSubject(ctx.goBinary, 'watch', opts('controller-runtime'), t),
    raw: spawnNodeSubject('raw-watch', opts('raw'), t),
  };
  try {
    await Promise.all(Object.values(subjects).map((s) => s.ready()));
    ctx.progress(
      `  churn: ${churnRate} writes/s for ${churnSeconds} s over ${objects} ConfigMaps, 4 watchers`,
    );
    const { acks, writesPerSec } = await churn(ctx.raw, namespace, objects, churnRate, churnSeconds);
    await new Promise((r) => setTimeout(r, ctx.sizes.graceMs));
    const lag: Record<string, LagSummary> = {};
    for (const [who, s] of Object.entries(subjects)) {
      await s.result({ finish: true });
      const file =
        who === 'clientNode' ? 'client-node' : who === 'controllerRuntime' ? 'controller-runtime' : who;
      lag[who] = summarizeLag(acks, await readFile(records(file), 'utf8'));
    }
    ctx.detail('churn', { targetRate: churnRate, seconds: churnSeconds, writesPerSec, lag });
    const figure = `2. Watch under churn (${Math.round(writesPerSec)} writes/s reached of ${churnRate} asked, ${churnSeconds} s)`;
    const row = (
      metric: string,
      unit: string,
      better: Row['better'],
      pick: (l: LagSummary) => number,
    ): Row => ({
      figure,
      metric,
      unit,
      better,
      switchboard: pick(lag.switchboard!),
      clientNode: pick(lag.clientNode!),
      controllerRuntime: pick(lag.controllerRuntime!),
      raw: pick(lag.raw!),
    });
    return [
      row('events delivered per second', 'events/s', 'higher', (l) => l.eventsPerSec),
      row('lag p50 (write sent → handler)', 'ms', 'lower', (l) => l.p50Ms),
      row('lag p99', 'ms', 'lower', (l) => l.p99Ms),
      row(
        `events missed (not seen ${ctx.sizes.graceMs / 1000} s after the last write)`,
        'events',
        'lower',
        (l) => l.missed,
      ),
    ];
  } finally {
    for (const s of Object.values(subjects)) s.kill();
  }
}
