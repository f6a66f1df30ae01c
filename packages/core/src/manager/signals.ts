/**
 * SIGTERM / SIGINT as an AbortSignal (controller-runtime's
 * `SetupSignalHandler`): the first signal starts a graceful shutdown, a
 * second one exits at once with code 1.
 */

/** Options of {@link shutdownSignal}. */
export interface ShutdownSignalOptions {
  /** Signals to handle. Default SIGTERM and SIGINT. */
  signals?: readonly NodeJS.Signals[];
  /** Called on the second signal. Default `process.exit(1)`. */
  onSecondSignal?: () => void;
}

/**
 * An AbortSignal that aborts on the first SIGTERM or SIGINT.
 *
 * @example
 * await manager.start(shutdownSignal());
 */
export function shutdownSignal(opts: ShutdownSignalOptions = {}): AbortSignal {
  const ac = new AbortController();
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  const handler = (sig: NodeJS.Signals): void => {
    if (!ac.signal.aborted) {
      ac.abort(new Error(`received ${sig}`));
      return;
    }
    (opts.onSecondSignal ?? ((): never => process.exit(1)))();
  };
  for (const s of signals) process.on(s, handler);
  return ac.signal;
}
