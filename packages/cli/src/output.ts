// Output for people: short aligned lines, progress for long work, and the
// next command to run.

/** Writes `label  text` with the label padded so columns line up. */
export function line(label: string, text: string, width = 14): void {
  process.stdout.write(`  ${label.padEnd(width)} ${text}\n`);
}

/** A progress reporter that prints each step with the time since start. */
export function progress(prefix: string): (step: string) => void {
  const started = Date.now();
  return (step) => {
    const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
    process.stderr.write(`  ${prefix} ${t}s  ${step}\n`);
  };
}

/** An error the user can act on: printed without a stack trace, exit code 1. */
export class UsageError extends Error {
  readonly reason = 'Usage';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
