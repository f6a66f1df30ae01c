// `npm run bench`: starts a local control plane of its own, builds the
// controller-runtime subject, measures every figure of docs/performance.md
// side by side, prints the table and writes everything as JSON.
//
//   --smoke       tiny sizes: proves every path works (run by the bench's jest test)
//   --out FILE    where the JSON goes (default bench/results/bench-<time>.json)
//   --only 1,4    run only these figures (6 needs 1)
//   --sync N,M    ConfigMap counts of figure 1 instead of the default (figures 4 and 6 use the first)
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KUBERNETES_VERSION, startControlPlane } from '@switchboard/testing';
import { buildGoSubject } from './go-build.js';
import { createNamespace, seedConfigMaps } from './fixtures.js';
import { churnFigure } from './figures/churn.js';
import type { FigureContext } from './figures/context.js';
import { latencyFigure } from './figures/latency.js';
import { statusFigure } from './figures/status.js';
import { syncFigures } from './figures/sync.js';
import { throughputFigure } from './figures/throughput.js';
import { RawClient } from './raw-client.js';
import { renderTable } from './report.js';
import type { BenchReport, Row } from './report.js';
import { DEFAULT_SIZES, SMOKE_SIZES } from './sizes.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

function machine(): Record<string, string | number> {
  const goVersion = (() => {
    try {
      return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    go: goVersion,
    kubernetes: KUBERNETES_VERSION,
    loadAverageAtStart: loadavg()[0]!.toFixed(2),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
      only: { type: 'string' },
      sync: { type: 'string' },
    },
  });
  const smoke = values.smoke;
  const base = smoke ? SMOKE_SIZES : DEFAULT_SIZES;
  const syncObjects = values.sync?.split(',').map(Number);
  const sizes = syncObjects ? { ...base, syncObjects, restObjects: syncObjects[0]! } : base;
  const only = new Set((values.only ?? '1,2,3,4,5,6').split(',').map((s) => s.trim()));
  const startedAt = new Date();
  const out =
    values.out ?? join(packageDir, 'results', `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const log = (line: string): void =>
    console.error(`[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(3)} s] ${line}`);
  const machineInfo = machine();

  log('starting a local control plane; building the controller-runtime subject');
  const [cp, goBinary] = await Promise.all([
    startControlPlane({}),
    buildGoSubject(join(packageDir, 'go'), log),
  ]);
  const scratch = await mkdtemp(join(tmpdir(), 'switchboard-bench-'));
  const raw = await RawClient.fromKubeconfig(cp.kubeconfigPath, 32);
  const details: Record<string, unknown> = {};
  const rows: Row[] = [];
  const stop = async (): Promise<void> => {
    raw.close();
    await cp.stop({ removeData: true });
    await rm(scratch, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  try {
    const ctx: FigureContext = {
      raw,
      kubeconfig: cp.kubeconfigPath,
      goBinary,
      sizes,
      scratch,
      subjectTimeoutMs: smoke ? 60_000 : 300_000,
      progress: log,
      detail: (name, value) => (details[name] = value),
    };
    // The sync namespace grows through the sizes; figures 4 and 6 use its first size.
    const syncNs = 'bench-sync';
    await createNamespace(raw, syncNs);
    let seeded = 0;
    const seedTo = async (n: number): Promise<void> => {
      if (n <= seeded) return;
      log(`creating ConfigMaps ${seeded}..${n - 1}`);
      const t = Date.now();
      await seedConfigMaps(raw, syncNs, seeded, n);
      details[`seed-${n}`] = { objectsPerSec: (n - seeded) / ((Date.now() - t) / 1000) };
      seeded = n;
    };
    const [first, ...rest] = sizes.syncObjects;
    if (first !== undefined && (only.has('1') || only.has('4') || only.has('6'))) {
      await seedTo(first);
      if (only.has('1') || only.has('6')) {
        log(`figure 1${first === sizes.restObjects ? ' and 6' : ''}: sync of ${first}`);
        rows.push(...(await syncFigures(ctx, syncNs, first, first === sizes.restObjects && only.has('6'))));
      }
      if (only.has('4')) {
        log('figure 4: reconcile throughput');
        rows.push(...(await throughputFigure(ctx, syncNs, first)));
      }
    }
    if (only.has('1'))
      for (const n of rest) {
        await seedTo(n);
        log(`figure 1: sync of ${n}`);
        rows.push(...(await syncFigures(ctx, syncNs, n, n === sizes.restObjects && only.has('6'))));
      }
    if (only.has('2')) {
      log('figure 2: watch under churn');
      rows.push(...(await churnFigure(ctx)));
    }
    if (only.has('3')) {
      log('figure 3: event-to-reconcile latency');
      rows.push(...(await latencyFigure(ctx)));
    }
    if (only.has('5')) {
      log('figure 5: status writes');
      rows.push(...(await statusFigure(ctx)));
    }
  } finally {
    await stop();
  }
  rows.sort((a, b) => a.figure.localeCompare(b.figure, 'en', { numeric: true }));
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    mode: smoke ? 'smoke' : 'full',
    machine: { ...machineInfo, loadAverageAtEnd: loadavg()[0]!.toFixed(2) },
    sizes,
    rows,
    details,
  };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(report, null, 2) + '\n');
  console.log(renderTable(rows));
  console.log(
    `\n${report.mode} run, ${report.durationSeconds} s; machine: ${Object.entries(report.machine)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(`JSON written to ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
