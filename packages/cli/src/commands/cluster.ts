// `switchboard cluster up|down|status`: a long-lived local cluster for people,
// kept under the state folder so `down` and `status` find it from any shell.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import {
  isAlive,
  readControlPlaneState,
  startControlPlane,
  stateDir,
  stopControlPlaneFromState,
} from '@switchboard/testing';

import { line, progress, UsageError } from '../output.js';

/** Folder of the named local cluster. */
export function clusterDir(name: string): string {
  return join(stateDir(), 'clusters', name);
}

/** The kubeconfig of the named local cluster, or undefined when it is not up. */
export async function localKubeconfig(name = 'default'): Promise<string | undefined> {
  const state = await readControlPlaneState(clusterDir(name));
  return state && state.processes.every((p) => isAlive(p.pid)) ? state.kubeconfigPath : undefined;
}

export const clusterHelp = `Usage: switchboard cluster <up|down|status> [--name NAME]

  up       start a local cluster (etcd, kube-apiserver, controller-manager, scheduler)
  down     stop every process of the cluster and delete its data
  status   show the cluster's processes and whether the API server is ready

Options:
  --name NAME   which local cluster (default: default); two can run side by side
`;

export async function clusterCommand(args: readonly string[], options: { name: string }): Promise<void> {
  const [verb] = args;
  const dir = clusterDir(options.name);
  switch (verb) {
    case 'up':
      return up(dir, options.name);
    case 'down':
      return down(dir, options.name);
    case 'status':
      return status(dir, options.name);
    default:
      throw new UsageError(`unknown cluster command ${verb ? `"${verb}"` : '(none)'}\n\n${clusterHelp}`);
  }
}

async function up(dir: string, name: string): Promise<void> {
  const existing = await readControlPlaneState(dir);
  if (existing) {
    if (existing.processes.every((p) => isAlive(p.pid))) {
      line('cluster', `${name} is already up`);
      printAccess(existing.kubeconfigPath);
      return;
    }
    // A cluster that half-died (machine reboot, killed process): clear it.
    await stopControlPlaneFromState(existing);
    await rm(dir, { recursive: true, force: true });
  } else if (existsSync(dir)) {
    await rm(dir, { recursive: true, force: true });
  }
  const started = Date.now();
  const cp = await startControlPlane({ dir, onProgress: progress('cluster') });
  line('cluster', `${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${cp.server}`);
  printAccess(cp.kubeconfigPath);
}

function printAccess(kubeconfig: string): void {
  line('kubeconfig', kubeconfig);
  process.stdout.write(`\n  export KUBECONFIG=${kubeconfig}\n\n`);
  line('next', 'npm run kubectl -- get namespaces');
}

async function down(dir: string, name: string): Promise<void> {
  const state = await readControlPlaneState(dir);
  if (!state) {
    line('cluster', `${name} is not up`);
    return;
  }
  await stopControlPlaneFromState(state);
  await rm(dir, { recursive: true, force: true });
  line('cluster', `${name} stopped; ${state.processes.length} processes ended, data removed`);
}

async function status(dir: string, name: string): Promise<void> {
  const state = await readControlPlaneState(dir);
  if (!state) {
    line('cluster', `${name} is not up; start it with: npm run cluster -- up`);
    process.exitCode = 1;
    return;
  }
  line('cluster', `${name} (Kubernetes v${state.kubernetesVersion}) at ${state.server}`);
  let allAlive = true;
  for (const p of state.processes) {
    const alive = isAlive(p.pid);
    allAlive &&= alive;
    line(p.name, `${alive ? 'running' : 'STOPPED'}  pid ${p.pid}`, 24);
  }
  line('kubeconfig', state.kubeconfigPath);
  if (!allAlive) {
    line('next', 'npm run cluster -- down && npm run cluster -- up');
    process.exitCode = 1;
  }
}
