// `switchboard setup`: builds the binaries the local cluster runs from their
// Go modules, into the cache every later run reuses (by version). The build
// steps are the shell scripts shipped in this package's setup/ folder, the
// same ones the Switchboard repository's bootstrap runs: each step under a
// lock of its own (two commands never build into one folder), its output in a
// log, its progress lines on the terminal.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import { cacheDir, logTail, switchboardCommand } from '@switchboard/testing';

import { line, UsageError } from '../output.js';

export const setupHelp = `Usage: switchboard setup [--node | --all]

  builds what the local cluster runs from its Go modules, once per version,
  into the cache (~/.cache/switchboard, or $SWITCHBOARD_CACHE):

  (default)  the control plane: kube-apiserver, kube-controller-manager,
             kube-scheduler, kubectl (the kubelet and kube-proxy come with them)
  --node     and a real node: etcd (newest line), containerd, runc, the CNI
             plugins, CoreDNS, a registry, crane, local-path-provisioner
  --all      and the rest the bundled operators' tests use: the older etcd
             line, Prometheus, Alertmanager, node-exporter, SeaweedFS, Helm

  Needs Go ${'>='} 1.26 on PATH. A cold --node build takes about 20 minutes on 2 cores.
  Two steps build at once on two cores or more; SWITCHBOARD_BUILD_JOBS=N to choose.
`;

/** Which build steps a setup runs. */
export type SetupScope = 'control-plane' | 'node' | 'all';

/** The minimum Go the build scripts are written for. */
export const GO_MINIMUM = '1.26';

/** Folder of the build scripts: shipped in this package. */
export function setupScriptsDir(): string {
  return join(import.meta.dirname, '..', '..', 'setup');
}

/** The scripts a scope runs, in order, and the etcd versions it builds (undefined: all). */
export function setupSteps(scope: SetupScope): { scripts: string[]; etcdVersions?: 'newest' } {
  switch (scope) {
    case 'control-plane':
      return { scripts: ['10-kubernetes.sh'] };
    case 'node':
      return { scripts: ['10-kubernetes.sh', '20-etcd.sh', '30-node.sh'], etcdVersions: 'newest' };
    case 'all':
      return {
        scripts: [
          '10-kubernetes.sh',
          '20-etcd.sh',
          '30-node.sh',
          '40-prometheus.sh',
          '50-seaweedfs.sh',
          '60-helm.sh',
        ],
      };
  }
}

/** Go's version on PATH (`1.26.8`), or undefined when there is no Go. */
function goVersion(): string | undefined {
  try {
    // The PATH of process.env as it is now (a caller may have changed it), not the one Node started with.
    return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', env: process.env })
      .trim()
      .replace(/^go/, '');
  } catch {
    return undefined;
  }
}

/** True when version `a` is at least `b` (dotted numbers). */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.split(/[.-]/).map((n) => Number.parseInt(n, 10));
  const pb = b.split('.').map((n) => Number.parseInt(n, 10));
  for (let i = 0; i < pb.length; i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (Number.isNaN(x) || x !== y) return !Number.isNaN(x) && x > y;
  }
  return true;
}

/** Runs the build steps of `scope`; each prints its own progress lines, and says where its log is. */
export async function setupCommand(scope: SetupScope): Promise<void> {
  const go = goVersion();
  if (go === undefined || !versionAtLeast(go, GO_MINIMUM))
    throw new UsageError(
      `Go >= ${GO_MINIMUM} is needed to build the local cluster's binaries (${go === undefined ? 'no go on PATH' : `found ${go}`}): ` +
        `install it from go.dev/dl, then run \`${switchboardCommand('setup')}\` again`,
    );
  const dir = setupScriptsDir();
  const { scripts, etcdVersions } = setupSteps(scope);
  const cache = cacheDir();
  const logs = join(cache, 'logs');
  mkdirSync(logs, { recursive: true });
  const started = Math.floor(Date.now() / 1000);
  const flock = existsSync('/usr/bin/flock') ? '/usr/bin/flock' : undefined;
  // Steps build into folders of their own, so they can run side by side: on
  // two cores a second step fills the time the first spends downloading
  // modules and linking on one core.
  const results = await runAtMost(buildConcurrency(), scripts, async (script, i) => {
    const name = script.replace(/^\d+-/, '').replace(/\.sh$/, '');
    const log = join(logs, `build-${name}.log`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SWITCHBOARD_CACHE: cache,
      SWITCHBOARD_STEP: `${i + 1}/${scripts.length}`,
      SWITCHBOARD_STEP_LOG: log,
      SWITCHBOARD_BOOTSTRAP_START: String(started),
    };
    if (etcdVersions === 'newest') env.SWITCHBOARD_ETCD_NEWEST_ONLY = '1';
    const command = flock ? [flock, join(cache, `.build-${name}.lock`), 'bash'] : ['bash'];
    const code = await runStep(command, join(dir, script), log, env);
    if (code !== 0)
      throw new Error(`build step ${name} failed (exit ${code}); its log: ${log}\n${logTail(log)}`);
    // A step with nothing to build exits at once and writes nothing.
    return statSync(log).size > 0;
  });
  const built = results.some(Boolean);
  // The repository's bootstrap stays silent when there is nothing to do.
  if (!built && process.env.SWITCHBOARD_BOOTSTRAP === '1') return;
  if (!built) return line('setup', `nothing to build: every binary of this scope is in ${cache}`);
  line(
    'setup',
    `done: ${scope === 'all' ? 'every binary' : scope === 'node' ? 'control plane and node' : 'control plane'} built into ${cache}`,
  );
}

/**
 * How many build steps run at once: `SWITCHBOARD_BUILD_JOBS`, else 2 where
 * there are at least two cores (each `go build` already uses every core; the
 * second step overlaps the first one's downloads and single-core links), else 1.
 */
export function buildConcurrency(
  env: NodeJS.ProcessEnv = process.env,
  cores = availableParallelism(),
): number {
  const asked = Number.parseInt(env.SWITCHBOARD_BUILD_JOBS ?? '', 10);
  if (Number.isInteger(asked) && asked >= 1) return asked;
  return cores >= 2 ? 2 : 1;
}

/**
 * Runs `task` over `items`, at most `limit` at once, in order of the items,
 * and resolves with the results in that order. After a task fails no new one
 * starts; the running ones finish (their logs stay whole), then the first
 * failure is thrown.
 */
export async function runAtMost<T, R>(
  limit: number,
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await task(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}

function runStep(
  command: readonly string[],
  script: string,
  log: string,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const fd = openSync(log, 'w');
  try {
    // fd 3 is the terminal: the scripts' progress lines go there, the rest to the log.
    const child = spawn(command[0] ?? 'bash', [...command.slice(1), script], {
      env,
      stdio: ['ignore', fd, fd, 2],
    });
    return new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
      child.once('error', () => resolve(127));
    });
  } finally {
    closeSync(fd);
  }
}
