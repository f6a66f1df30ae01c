// The bench at tiny sizes (`--smoke`), so it cannot rot between full runs.
// It asserts that every figure was measured for every subject it names; it
// never asserts on the numbers (the machine is shared and 2-core: they are noise).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const benchDir = join(import.meta.dirname, '..');
const main = join(benchDir, 'dist', 'main.js');

interface Row {
  figure: string;
  switchboard: number | null;
  clientNode: number | null;
  controllerRuntime: number | null;
  raw: number | null;
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bench --smoke', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('measures every figure against every peer it names, prints the table and writes the JSON it names', async () => {
    expect(existsSync(main)).toBe(true); // built by the bootstrap (turbo run build) before the suites run
    const out = join(dir, 'smoke.json');
    const { code, stdout, stderr } = await run(['--smoke', '--out', out]);
    if (code !== 0) throw new Error(`bench --smoke exited ${code}\n${stderr.slice(-4000)}`);
    expect(stdout).toContain('| Figure |');
    expect(stdout).toContain(`JSON written to ${out}`);

    const report = JSON.parse(await readFile(out, 'utf8')) as { mode: string; rows: Row[] };
    expect(report.mode).toBe('smoke');
    const figures = new Set(report.rows.map((r) => r.figure.split('.')[0]));
    expect([...figures].sort()).toEqual(['1', '2', '3', '4', '5', '6']);
    for (const row of report.rows) expect(typeof row.switchboard).toBe('number');
    // Every figure has at least one peer beside Switchboard.
    for (const f of figures) {
      const rows = report.rows.filter((r) => r.figure.startsWith(`${f}.`));
      expect(rows.some((r) => r.clientNode !== null || r.controllerRuntime !== null || r.raw !== null)).toBe(
        true,
      );
    }
  }, 600_000); // the first run on a machine also builds the controller-runtime subject
});
