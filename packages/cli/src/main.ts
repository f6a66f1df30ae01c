#!/usr/bin/env node
// The `switchboard` command. Checks the Node version before anything else is
// loaded: on a Node too old for its dependencies, their first import throws
// an error that names none of them. A peer dependency missing from the
// user's project gets one line too, not a stack.
import { nodeVersionProblem } from './node-version.js';
import { missingPeerProblem } from './peer-dependency.js';

const tooOld = nodeVersionProblem(process.versions.node);
if (tooOld !== undefined) {
  process.stderr.write(`switchboard: ${tooOld}\n`);
  process.exit(1);
}

const { run, UsageError } = await Promise.all([import('./cli.js'), import('./output.js')]).then(
  ([cli, output]) => ({ run: cli.run, UsageError: output.UsageError }),
  (err: unknown) => {
    const missing = missingPeerProblem(err);
    if (missing === undefined) throw err;
    process.stderr.write(`switchboard: ${missing}\n`);
    process.exit(1);
  },
);

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
