// Processes the local cluster starts are detached, so they outlive the Node
// process that started them: `switchboard cluster up` depends on it. A test
// harness does not: when its set-up throws before the teardown could run,
// jest exits and an unguarded control plane keeps running, holding ports and
// disk. The guard kills what is still registered when the process exits.

/**
 * Kills (SIGKILL, synchronously: nothing asynchronous runs at exit) the PIDs
 * `pids()` returns when this process exits. Returns the release: call it once
 * the processes were stopped, so a PID reused by someone else is never hit.
 */
export function killOnExit(pids: () => readonly number[]): () => void {
  const onExit = (): void => {
    for (const pid of pids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  };
  process.once('exit', onExit);
  return () => {
    process.removeListener('exit', onExit);
  };
}
