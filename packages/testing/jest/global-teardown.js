// Stops the cluster of global-setup.js, then watches that jest's own process
// can exit. Suites run in workers (jest ends those itself), so what keeps this
// process alive after the results is opened here, by the cluster's setup or
// stop. Rather than hang a CI run for ever (or hide the leak with
// --forceExit), a watchdog that does not itself keep the process alive names
// what is still open and then exits with jest's exit code.

/** How long jest's process may stay alive after the teardown before it is named a leak. */
const EXIT_WITHIN_MS = 15_000;

function describeOpen() {
  const lines = [`  resources: ${process.getActiveResourcesInfo().join(', ')}`];
  // Node's own list of handles (undocumented, diagnostics only): which sockets, timers, servers.
  const handles = typeof process._getActiveHandles === 'function' ? process._getActiveHandles() : [];
  for (const h of handles) {
    const name = h?.constructor?.name ?? typeof h;
    if (h === process.stdout || h === process.stderr || h === process.stdin) continue;
    const where =
      typeof h?.remoteAddress === 'string'
        ? ` to ${h.remoteAddress}:${h.remotePort} from :${h.localPort}`
        : typeof h?.address === 'function' && h.listening
          ? ` listening on ${JSON.stringify(h.address())}`
          : typeof h?._idleTimeout === 'number'
            ? ` every/after ${h._idleTimeout} ms: ${String(h._onTimeout?.name || h._onTimeout).slice(0, 200)}`
            : typeof h?.pid === 'number'
              ? ` pid ${h.pid} ${h.spawnfile ?? ''}`
              : '';
    lines.push(`  handle: ${name}${where}`);
  }
  return lines.join('\n');
}

export default async function globalTeardown() {
  const cluster = globalThis.__switchboardCluster;
  globalThis.__switchboardCluster = undefined;
  if (cluster) await cluster.stop({ removeData: process.env.SWITCHBOARD_KEEP_TEST_CLUSTER !== '1' });
  setTimeout(() => {
    process.stderr.write(
      `\njest's process is still running ${EXIT_WITHIN_MS / 1000} s after the global teardown: ` +
        `something opened outside the suites was not closed\n${describeOpen()}\n`,
    );
    process.exit();
  }, EXIT_WITHIN_MS).unref();
}
