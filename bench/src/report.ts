// The table: every figure with each peer's figure and the ratio beside it,
// as Markdown (readable in a terminal, pasted as is into docs/performance.md).

/** One line of the table. Absent peers are null (no such thing, or not measured). */
export interface Row {
  /** The figure this line belongs to, e.g. "1. Initial sync, 10,000 ConfigMaps". */
  figure: string;
  metric: string;
  unit: string;
  /** Which way is better; ratios are always Switchboard ÷ peer. */
  better: 'lower' | 'higher';
  switchboard: number | null;
  clientNode: number | null;
  controllerRuntime: number | null;
  /** The raw-client limit, where one exists. */
  raw: number | null;
  note?: string;
}

/** Everything a run writes to its JSON file. */
export interface BenchReport {
  startedAt: string;
  durationSeconds: number;
  mode: 'full' | 'smoke';
  machine: Record<string, string | number>;
  sizes: object;
  rows: Row[];
  /** Extra figures behind the rows (achieved write rates, raw subject results). */
  details: Record<string, unknown>;
}

function num(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'n/a';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function withRatio(sb: number | null, peer: number | null): string {
  if (peer === null || !Number.isFinite(peer)) return num(peer);
  if (sb === null || !Number.isFinite(sb) || peer === 0) return num(peer);
  return `${num(peer)} (${(sb / peer).toFixed(2)}×)`;
}

/** The table as Markdown; ratios in parentheses are Switchboard ÷ that column. */
export function renderTable(rows: readonly Row[]): string {
  const head = [
    '| Figure | Metric | Unit | Switchboard | client-node (SB ÷) | controller-runtime (SB ÷) | raw limit (SB ÷) |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
  ];
  let lastFigure = '';
  const body = rows.map((r) => {
    const fig = r.figure === lastFigure ? '' : r.figure;
    lastFigure = r.figure;
    const unit = `${r.unit} (${r.better} is better)`;
    return `| ${fig} | ${r.metric}${r.note ? ` — ${r.note}` : ''} | ${unit} | ${num(r.switchboard)} | ${withRatio(r.switchboard, r.clientNode)} | ${withRatio(r.switchboard, r.controllerRuntime)} | ${withRatio(r.switchboard, r.raw)} |`;
  });
  return [...head, ...body].join('\n');
}
