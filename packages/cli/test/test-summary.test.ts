// scripts/test-summary.mjs, the end of `npm test` and of CI: the totals line
// CI reads, retried tests with why their first attempt failed, suites skipped
// whole (failures where the node suites can run), and where the time went.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'test-summary-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  fullName: string;
  status: 'passed' | 'failed' | 'pending';
  invocations?: number;
  retryReasons?: string[];
}

function summarise(suites: { name: string; seconds: number; cases: Case[] }[], ...flags: string[]) {
  const count = (status: Case['status']) =>
    suites.flatMap((s) => s.cases).filter((c) => c.status === status).length;
  const results = {
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('pending'),
    success: count('failed') === 0,
    testResults: suites.map((s) => ({
      name: join(root, s.name),
      startTime: 1_000,
      endTime: 1_000 + s.seconds * 1000,
      assertionResults: s.cases,
    })),
  };
  const file = join(dir, `results-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(results));
  return spawnSync(process.execPath, [join(root, 'scripts/test-summary.mjs'), file, ...flags], {
    cwd: root,
    encoding: 'utf8',
  });
}

describe('scripts/test-summary.mjs', () => {
  it('ends with the totals line and exits 0 when nothing failed', () => {
    const run = summarise([{ name: 'a.test.ts', seconds: 3, cases: [{ fullName: 'a', status: 'passed' }] }]);
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('1 passed, 0 failed, 0 skipped');
  });

  it("lists a retried test with the first lines of its first attempt's failure, not the stack", () => {
    const reason =
      '\u001b[1mError: 2 pod targets up\u001b[22m\n\nExpected length: 2\nReceived length: 1\n    at Object.<anonymous> (m.test.ts:3:4)';
    const run = summarise([
      {
        name: 'm.test.ts',
        seconds: 90,
        cases: [{ fullName: 'scrapes pods', status: 'passed', invocations: 2, retryReasons: [reason] }],
      },
    ]);
    expect(run.stdout).toContain('m.test.ts: scrapes pods (1 retry, passed)');
    expect(run.stdout).toContain(
      'attempt 1 failed:\n      Error: 2 pod targets up\n      Expected length: 2',
    );
    expect(run.stdout).not.toContain('at Object.<anonymous>');
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('names the slowest suites first, with their seconds', () => {
    const run = summarise([
      { name: 'quick.test.ts', seconds: 2, cases: [{ fullName: 'q', status: 'passed' }] },
      { name: 'slow.test.ts', seconds: 200, cases: [{ fullName: 's', status: 'passed' }] },
    ]);
    expect(run.stdout).toMatch(
      /Slowest suites \(of 202 s in suites\):\n\s+200 s {2}slow\.test\.ts\n\s+2 s {2}quick\.test\.ts/,
    );
  });

  it('fails a run whose suite was skipped whole where node suites can run', () => {
    const suites = [
      { name: 'node.test.ts', seconds: 1, cases: [{ fullName: 'n', status: 'pending' as const }] },
    ];
    expect(summarise(suites).status).toBe(0);
    const strict = summarise(suites, '--require-node-suites');
    expect(strict.status).toBe(1);
    expect(strict.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed, 1 skipped');
  });
});
