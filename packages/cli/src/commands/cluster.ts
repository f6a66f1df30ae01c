// `switchboard cluster up|down|status`: a long-lived local cluster for people,
// kept under the state folder so `down` and `status` find it from any shell.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import {
  imageReferences,
  isAlive,
  isLocalClusterRunning,
  readControlPlaneState,
  readLocalClusterState,
  startControlPlane,
  startLocalCluster,
  stateDir,
  stopControlPlaneFromState,
  stopLocalClusterFromState,
} from '@switchboard/testing';
import type { ControlPlaneState } from '@switchboard/testing';
import { CLI_PREFIX_ENV, switchboardCommand } from '@switchboard/testing';

import { line, progress, UsageError } from '../output.js';

/** Folder of the named local cluster. */
export function clusterDir(name: string): string {
  return join(stateDir(), 'clusters', name);
}

/**
 * The control plane state of a local cluster: at the top of its folder for a
 * control plane alone, under `control-plane/` for a cluster with nodes.
 */
async function controlPlaneState(dir: string): Promise<ControlPlaneState | undefined> {
  return (await readControlPlaneState(dir)) ?? (await readControlPlaneState(join(dir, 'control-plane')));
}

/** The kubeconfig of the named local cluster, or undefined when it is not up. */
/** Name of the local cluster when `--name` is not given. */
export const DEFAULT_CLUSTER = 'default';

/** ` --name NAME`, or nothing for the default cluster. */
export function nameFlag(name: string): string {
  return name === DEFAULT_CLUSTER ? '' : ` --name ${name}`;
}

/** `cluster up`, with the cluster's `--name` unless it is the default. */
export function upArgs(name: string): string {
  return `cluster up${nameFlag(name)}`;
}

export async function localKubeconfig(name = DEFAULT_CLUSTER): Promise<string | undefined> {
  const state = await controlPlaneState(clusterDir(name));
  return state && state.processes.every((p) => isAlive(p.pid)) ? state.kubeconfigPath : undefined;
}

export const clusterHelp = `Usage: switchboard cluster <up|down|status|images> [--name NAME] [--nodes N]

  up       start a local cluster: etcd, kube-apiserver, controller-manager and
           scheduler, plus N real nodes (containerd + kubelet), kube-proxy,
           CoreDNS, a local-path provisioner and a local image registry
  down     stop every process of the cluster and delete its data
  status   show the cluster's processes
  images   list the image references the local cluster offers, one a line

Options:
  --name NAME   which local cluster (default: default)
  --nodes N     how many nodes (default 1; 0 for a control plane alone, which
                needs no root and can run beside other clusters)
`;

/** Options of {@link clusterCommand}. */
export interface ClusterCommandOptions {
  readonly name: string;
  /** Nodes for `up`; default 1. */
  readonly nodes?: number;
}

export async function clusterCommand(args: readonly string[], options: ClusterCommandOptions): Promise<void> {
  const [verb] = args;
  const dir = clusterDir(options.name);
  switch (verb) {
    case 'images':
      for (const ref of imageReferences()) process.stdout.write(`${ref}\n`);
      return;
    case 'up':
      return up(dir, options.name, options.nodes ?? 1);
    case 'down':
      return down(dir, options.name);
    case 'status':
      return status(dir, options.name);
    default:
      throw new UsageError(`unknown cluster command ${verb ? `"${verb}"` : '(none)'}\n\n${clusterHelp}`);
  }
}

async function up(dir: string, name: string, nodes: number): Promise<void> {
  if (!Number.isInteger(nodes) || nodes < 0 || nodes > 8) {
    throw new UsageError(`--nodes: expected a whole number from 0 to 8, got ${nodes}`);
  }
  const existing = await controlPlaneState(dir);
  if (existing) {
    if (existing.processes.every((p) => isAlive(p.pid))) {
      line('cluster', `${name} is already up`);
      printAccess(existing.kubeconfigPath);
      return;
    }
    // A cluster that half-died (machine reboot, killed process): clear it.
    await stopEverything(dir);
  } else if (existsSync(dir)) {
    await rm(dir, { recursive: true, force: true });
  }
  const started = Date.now();
  const onProgress = progress('cluster');
  const cluster =
    nodes === 0
      ? await startControlPlane({ dir, onProgress, keepRunningAfterExit: true })
      : await startLocalCluster({ dir, nodes, onProgress, controlPlane: { keepRunningAfterExit: true } });
  line('cluster', `${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${cluster.server}`);
  if (nodes > 0) line('nodes', `${nodes} Ready; images: ${switchboardCommand('cluster images')}`);
  printAccess(cluster.kubeconfigPath);
}

/** Stops whatever a cluster folder records (nodes and control plane) and removes the folder; returns how many processes it knew of. */
async function stopEverything(dir: string): Promise<number> {
  const withNodes = await readLocalClusterState(dir);
  const cp = await controlPlaneState(dir);
  const count = (cp?.processes.length ?? 0) + (withNodes ? withNodes.nodes.length * 2 + 2 : 0);
  if (withNodes) await stopLocalClusterFromState(withNodes);
  else if (cp) await stopControlPlaneFromState(cp);
  await rm(dir, { recursive: true, force: true });
  return count;
}

function printAccess(kubeconfig: string): void {
  line('kubeconfig', kubeconfig);
  process.stdout.write(`\n  export KUBECONFIG=${kubeconfig}\n\n`);
  line('next', process.env[CLI_PREFIX_ENV] ? 'npm run kubectl -- get namespaces' : 'kubectl get namespaces');
}

async function down(dir: string, name: string): Promise<void> {
  if (!existsSync(dir)) {
    line('cluster', `${name} is not up`);
    return;
  }
  const count = await stopEverything(dir);
  line('cluster', `${name} stopped; ${count} processes ended, data removed`);
}

async function status(dir: string, name: string): Promise<void> {
  const nodes = await readLocalClusterState(dir);
  const state = await controlPlaneState(dir);
  if (!state) {
    line('cluster', `${name} is not up; start it with: ${switchboardCommand(upArgs(name))}`);
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
  if (nodes) {
    const running = isLocalClusterRunning(nodes);
    allAlive &&= running;
    line('nodes', `${nodes.nodes.map((n) => n.name).join(', ')}: ${running ? 'running' : 'STOPPED'}`, 24);
  }
  line('kubeconfig', state.kubeconfigPath);
  if (!allAlive) {
    line(
      'next',
      `${switchboardCommand(`cluster down${nameFlag(name)}`)} && ${switchboardCommand(upArgs(name))}`,
    );
    process.exitCode = 1;
  }
}
