#!/usr/bin/env node
// The `switchboard` command.
import { run } from './cli.js';
import { UsageError } from './output.js';

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
