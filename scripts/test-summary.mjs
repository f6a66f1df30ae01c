// Reads jest's JSON results and tells the whole truth about a run: the tests
// that needed a retry (a retried test is a bug report, not a pass) with the
// first lines of why its first attempt failed, the suites skipped whole, the
// slowest suites (where a run's time goes), and one last plain line of totals,
// `N passed, N failed, N skipped`, which CI reads.
//
//   node scripts/test-summary.mjs <results.json> [--require-node-suites]
//
// --require-node-suites: this machine can run the suites that need a real
// node (root, binaries built), so a suite skipped whole is a failure: it
// would otherwise hide a broken gate or a missing build as a green run.
// Single cases kept behind an opt-in (ETCD_E2E_LARGE=1) are counted as
// skipped and listed, not failed. Exits 1 when anything failed.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [file, ...flags] = process.argv.slice(2);
const requireNodeSuites = flags.includes('--require-node-suites');
let results;
try {
  results = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`jest wrote no results (${err.message})`);
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

const name = (path) => relative(process.cwd(), path);
// eslint-disable-next-line no-control-regex
const plain = (text) => String(text).replace(/\x1b\[[0-9;]*m/g, '');
/** The first lines of a failure message that say something (not the stack). */
const gist = (reason) =>
  plain(reason)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('at ') && !/^\d+ \|/.test(l) && !/^[>|]/.test(l))
    .slice(0, 3)
    .map((l) => `    ${l.length > 240 ? `${l.slice(0, 240)}…` : l}`);
const retried = [];
const skippedWhole = [];
const skippedCases = [];
for (const suite of results.testResults ?? []) {
  const cases = suite.assertionResults ?? [];
  for (const c of cases) {
    const retries = Math.max((c.invocations ?? 1) - 1, c.retryReasons?.length ?? 0);
    if (retries > 0)
      retried.push(
        `${name(suite.name)}: ${c.fullName} (${retries} ${retries === 1 ? 'retry' : 'retries'}, ${c.status})`,
        ...(c.retryReasons ?? []).flatMap((reason, i) => [`  attempt ${i + 1} failed:`, ...gist(reason)]),
      );
  }
  const pending = cases.filter((c) => c.status === 'pending' || c.status === 'skipped');
  if (cases.length > 0 && pending.length === cases.length) skippedWhole.push(name(suite.name));
  else for (const c of pending) skippedCases.push(`${name(suite.name)}: ${c.fullName}`);
}

const section = (title, lines) => {
  if (lines.length === 0) return;
  console.log(`\n${title}`);
  for (const l of lines) console.log(`  ${l}`);
};
const slowest = (results.testResults ?? [])
  .map((suite) => ({ path: name(suite.name), ms: (suite.endTime ?? 0) - (suite.startTime ?? 0) }))
  .filter((suite) => suite.ms > 0)
  .sort((a, b) => b.ms - a.ms)
  .slice(0, 12);
const totalMs = (results.testResults ?? []).reduce(
  (sum, suite) => sum + Math.max((suite.endTime ?? 0) - (suite.startTime ?? 0), 0),
  0,
);
section(
  `Slowest suites (of ${Math.round(totalMs / 1000)} s in suites):`,
  slowest.map((suite) => `${(suite.ms / 1000).toFixed(0).padStart(5)} s  ${suite.path}`),
);
section('Retried (each is a bug report: name its cause):', retried);
section('Skipped cases:', skippedCases);
section(
  requireNodeSuites
    ? 'Suites skipped whole on a machine that can run them (failures):'
    : 'Suites skipped whole:',
  skippedWhole,
);

const passed = results.numPassedTests ?? 0;
const failed =
  (results.numFailedTests ?? 0) +
  (results.numRuntimeErrorTestSuites ?? 0) +
  (requireNodeSuites ? skippedWhole.length : 0);
const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || results.success === false ? 1 : 0);
