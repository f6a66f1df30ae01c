#!/usr/bin/env node
// The `switchboard` command. Checks the Node version before anything else is
// loaded: on a Node too old for its dependencies, their first import throws
// an error that names none of them.
import { nodeVersionProblem } from './node-version.js';

const tooOld = nodeVersionProblem(process.versions.node);
if (tooOld !== undefined) {
  process.stderr.write(`switchboard: ${tooOld}\n`);
  process.exit(1);
}

const { run } = await import('./cli.js');
const { UsageError } = await import('./output.js');

run(process.argv.slice(2)).catch((err: unknown) => {
  if (
    err instanceof UsageError ||
    (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
  ) {
    process.stderr.write(`switchboard: ${err.message}\n`);
  } else if (err instanceof Error && 'reason' in err) {
    process.stderr.write(`switchboard: ${err.message}\n`);
  } else {
    process.stderr.write(`switchboard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exitCode = 1;
});
