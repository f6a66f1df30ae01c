// A whole local cluster on this host: the control plane and the local
// registry on the host end of the cluster's link, N real nodes and one
// kube-proxy in the cluster's own network namespace, and the CoreDNS and
// local-path add-ons. Up to MAX_SLOTS clusters run side by side, each in a
// slot with its own namespace and address ranges (see host-network.ts); the
// slot's lock file under /run names the folder of the cluster holding it.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';

import {
  readControlPlaneState,
  startControlPlane,
  stopControlPlaneFromState,
} from '../control-plane/control-plane.js';
import type { ControlPlane, ControlPlaneOptions } from '../control-plane/control-plane.js';
import { waitUntil } from '../control-plane/health.js';
import { isAlive, stopPid } from '../control-plane/process.js';
import { buildImages } from '../images/build.js';
import { startRegistry } from '../images/registry.js';
import type { LocalRegistry } from '../images/registry.js';
import { corednsObjects, createObjects, localPathObjects } from './addons.js';
import { nodeBinaries } from './binaries.js';
import { createFaults } from './faults.js';
import type { Faults } from './faults.js';
import { MAX_SLOTS, networkPlan, setupHostNetwork, slotInUse, teardownHostNetwork } from './host-network.js';
import type { HostNetworkRecord } from './host-network.js';
import { startKubeProxy } from './kube-proxy.js';
import type { KubeProxy } from './kube-proxy.js';
import { nodeHandle, startNode } from './node.js';
import type { LocalNode, NodeState } from './node.js';
import { teardownNodes } from './teardown.js';

/** Thrown when the node stack is started without root. */
export class NotRootError extends Error {
  readonly reason = 'NotRoot';
  constructor() {
    super(
      'a local cluster with nodes needs root (containerd, runc, network namespaces, iptables, cgroups): ' +
        'run as root, or use a control plane without nodes (startControlPlane)',
    );
    this.name = 'NotRootError';
  }
}

/** Thrown when every slot holds a running local cluster. */
export class ClusterRunningError extends Error {
  readonly reason = 'ClusterRunning';
  constructor(readonly dirs: readonly string[]) {
    super(
      `${dirs.length} local clusters with nodes already run on this host (${dirs.join(', ')}); stop one first`,
    );
    this.name = 'ClusterRunningError';
  }
}

/** Options of {@link startLocalCluster}. */
export interface LocalClusterOptions {
  /** How many nodes. Default 1. */
  readonly nodes?: number;
  /** Working folder; default a new temporary folder. */
  readonly dir?: string;
  /** Which slot (0..MAX_SLOTS-1); default the first free one. */
  readonly slot?: number;
  /** Build (or check) the image catalog first. Default true; fast when nothing changed. */
  readonly buildImages?: boolean;
  /** Install CoreDNS and local-path-provisioner and wait for them. Default true. */
  readonly addons?: boolean;
  /** Extra control-plane options (not the addresses, which come from `network`). */
  readonly controlPlane?: Omit<
    ControlPlaneOptions,
    'dir' | 'bindAddress' | 'serviceClusterIPRange' | 'clusterCIDR'
  >;
  /** Called with one line per step, for people watching. */
  readonly onProgress?: (line: string) => void;
  /**
   * While every slot holds a running cluster, wait up to this many ms for one
   * to stop instead of failing with {@link ClusterRunningError}.
   * Default 0.
   */
  readonly waitForOtherClusterMs?: number;
}

/** What `stopLocalClusterFromState` needs, written as `cluster-state.json`. */
export interface LocalClusterState {
  readonly dir: string;
  readonly kubeconfigPath?: string;
  readonly network: HostNetworkRecord;
  readonly nodes: readonly NodeState[];
  readonly kubeProxyPid?: number;
  readonly registry?: { readonly pid: number; readonly address: string };
}

/** A running local cluster: control plane, nodes, registry, and the faults tests inject. */
export interface LocalCluster {
  readonly dir: string;
  readonly kubeconfigPath: string;
  readonly server: string;
  readonly controlPlane: ControlPlane;
  readonly nodes: readonly LocalNode[];
  readonly registry: LocalRegistry;
  readonly faults: Faults;
  /** What another process needs to find and stop the cluster (written as `cluster-state.json`). */
  state(): LocalClusterState;
  /** Tears everything down (see teardown.ts); `removeData` also deletes the folder. */
  stop(options?: { removeData?: boolean }): Promise<void>;
}

const STATE_FILE = 'cluster-state.json';
/** The lock file of a slot: it holds the folder of the cluster in the slot. */
const slotLock = (slot: number) => `/run/switchboard-local-cluster-${slot}`;
/** Written by versions before slots existed (a bridge in the host namespace, slot 0's ranges). */
const LEGACY_LOCK = '/run/switchboard-local-cluster';

/**
 * Starts a local cluster with real nodes and resolves when every node is
 * Ready and cluster DNS answers.
 *
 * @example
 * const cluster = await startLocalCluster({ nodes: 2, onProgress: console.log });
 * process.env.KUBECONFIG = cluster.kubeconfigPath;
 * await cluster.faults.stopNode('node-2');
 * await cluster.stop({ removeData: true });
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  if (process.getuid?.() !== 0) throw new NotRootError();
  const count = options.nodes ?? 1;
  const progress = options.onProgress ?? (() => undefined);
  const bin = nodeBinaries();
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'switchboard-cluster-')));
  await mkdir(join(dir, 'logs'), { recursive: true });
  const waitUntilMs = Date.now() + (options.waitForOtherClusterMs ?? 0);
  let slot: number;
  for (;;) {
    try {
      slot = await claimSlot(dir, options.slot);
      break;
    } catch (err) {
      if (!(err instanceof ClusterRunningError) || Date.now() > waitUntilMs) throw err;
      progress(`waiting for a local cluster to stop (${err.dirs.join(', ')})`);
      await new Promise((r) => setTimeout(r, 5_000));
    }
  }
  const network = networkPlan(slot);
  progress(
    `slot ${slot}: namespace ${network.namespace}, pods ${network.clusterCIDR}, services ${network.serviceCIDR}`,
  );

  if (options.buildImages ?? true) {
    const result = await buildImages({ onProgress: (l) => progress(`images: ${l}`) });
    const pause = result.skipped.find((s) => s.name === 'pause');
    if (pause) throw new Error(`the pause image cannot be built: ${pause.reason}`);
  }

  progress('network');
  let record: HostNetworkRecord;
  try {
    record = await setupHostNetwork(network, { otherClustersRunning: otherSlotsHeld(slot) });
  } catch (err) {
    await teardownHostNetwork({ plan: network }, { otherClustersRunning: true });
    await rm(slotLock(slot), { force: true });
    throw err;
  }
  let controlPlane: ControlPlane | undefined;
  let registry: LocalRegistry | undefined;
  let kubeProxy: KubeProxy | undefined;
  const nodes: LocalNode[] = [];
  const state = (): LocalClusterState => ({
    dir,
    ...(controlPlane ? { kubeconfigPath: controlPlane.kubeconfigPath } : {}),
    network: record,
    nodes: nodes.map((n) => n.state()),
    ...(kubeProxy ? { kubeProxyPid: kubeProxy.pid } : {}),
    ...(registry ? { registry: { pid: registry.pid, address: registry.address } } : {}),
  });
  const save = () => writeFile(join(dir, STATE_FILE), JSON.stringify(state(), null, 2) + '\n');

  try {
    registry = await startRegistry({ dir: join(dir, 'registry'), host: network.hostAddress });
    await save();
    controlPlane = await startControlPlane({
      ...options.controlPlane,
      dir: join(dir, 'control-plane'),
      bindAddress: network.hostAddress,
      serviceClusterIPRange: network.serviceCIDR,
      clusterCIDR: network.clusterCIDR,
      onProgress: progress,
    });
    await save();
    for (let i = 1; i <= count; i++) {
      nodes.push(
        await startNode({
          index: i,
          dir: join(dir, 'nodes', `node-${i}`),
          network,
          server: controlPlane.server,
          adminKubeconfig: controlPlane.kubeconfigPath,
          pki: controlPlane.pki,
          registry: registry.address,
          binaries: bin,
          waitReady: false,
          onProgress: progress,
        }),
      );
      await save();
    }
    progress('starting kube-proxy');
    kubeProxy = await startKubeProxy({
      binary: bin.kubeProxy,
      dir,
      server: controlPlane.server,
      pki: controlPlane.pki,
      network,
      nodeName: nodes[0]?.name ?? 'node-1',
    });
    await save();
    progress(`waiting for ${count} node(s) to be Ready`);
    await Promise.all(nodes.map((n) => n.waitReady()));
    if (options.addons ?? true) {
      progress('installing CoreDNS and local-path-provisioner');
      const kc = new KubeConfig();
      kc.loadFromFile(controlPlane.kubeconfigPath);
      await createObjects(kc, [
        ...corednsObjects(network.dnsServiceIP),
        ...localPathObjects(join(dir, 'local-path')),
      ]);
      await waitForDeployments(kc, [
        ['kube-system', 'coredns'],
        ['local-path-storage', 'local-path-provisioner'],
      ]);
    }
    await save();
  } catch (err) {
    await stopAll(state(), controlPlane, bin);
    throw err;
  }

  const kc = new KubeConfig();
  kc.loadFromFile(controlPlane.kubeconfigPath);
  const cp = controlPlane;
  const reg = registry;
  return {
    dir,
    kubeconfigPath: cp.kubeconfigPath,
    server: cp.server,
    controlPlane: cp,
    nodes,
    registry: reg,
    faults: createFaults(kc, nodes, bin, network, save),
    state,
    async stop(stopOptions = {}) {
      await stopAll(state(), cp, bin);
      if (stopOptions.removeData) await rm(dir, { recursive: true, force: true });
    },
  };
}

async function stopAll(
  state: LocalClusterState,
  controlPlane: ControlPlane | undefined,
  bin: ReturnType<typeof nodeBinaries>,
): Promise<void> {
  const slot = state.network.plan.slot;
  await teardownNodes({
    otherClustersRunning: otherSlotsHeld(slot),
    nodes: state.nodes,
    ...(state.kubeProxyPid ? { kubeProxyPid: state.kubeProxyPid } : {}),
    network: state.network,
    binaries: bin,
  });
  if (controlPlane) await controlPlane.stop();
  else {
    const cpState = await readControlPlaneState(join(state.dir, 'control-plane'));
    if (cpState) await stopControlPlaneFromState(cpState);
  }
  if (state.registry) await stopPid(state.registry.pid);
  await releaseSlot(slot, state.dir);
}

/**
 * A handle on a local cluster another process started (`switchboard cluster
 * up`, a test run's global setup): its nodes and faults, from the state in its
 * folder. It has no control plane handle; restart the API server through the
 * process that started it.
 */
export async function attachLocalCluster(
  dir: string,
): Promise<Omit<LocalCluster, 'controlPlane' | 'registry' | 'server'>> {
  const recorded = await readLocalClusterState(dir);
  if (!recorded?.kubeconfigPath) throw new Error(`no local cluster state in ${dir}`);
  const kubeconfigPath = recorded.kubeconfigPath;
  const bin = nodeBinaries();
  const network = recorded.network.plan;
  const nodes = recorded.nodes.map((n) =>
    nodeHandle(n, { binaries: bin, network, adminKubeconfig: kubeconfigPath }),
  );
  const state = (): LocalClusterState => ({ ...recorded, nodes: nodes.map((n) => n.state()) });
  const save = () => writeFile(join(dir, STATE_FILE), JSON.stringify(state(), null, 2) + '\n');
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    dir,
    kubeconfigPath,
    nodes,
    faults: createFaults(kc, nodes, bin, network, save),
    state,
    async stop(options = {}) {
      await stopLocalClusterFromState(state(), options);
    },
  };
}

/** Reads the state a local cluster wrote into its folder. */
export async function readLocalClusterState(dir: string): Promise<LocalClusterState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as LocalClusterState;
  } catch {
    return undefined;
  }
}

/** Stops a local cluster from its recorded state (another process started it). */
export async function stopLocalClusterFromState(
  state: LocalClusterState,
  options: { removeData?: boolean } = {},
): Promise<void> {
  await stopAll(state, undefined, nodeBinaries());
  if (options.removeData) await rm(state.dir, { recursive: true, force: true });
}

/** True while any process of the recorded cluster runs. */
export function isLocalClusterRunning(state: LocalClusterState): boolean {
  const pids = [
    ...state.nodes.flatMap((n) => [n.pids.kubelet, n.pids.containerd]),
    state.kubeProxyPid,
    state.registry?.pid,
  ];
  return pids.some((p) => p !== undefined && isAlive(p));
}

/**
 * A slot lock's content: the cluster's folder, then the PID of the process
 * that took the slot (absent in locks written before PIDs were recorded).
 */
export function parseSlotLock(text: string): { owner: string; pid?: number } {
  const [owner = '', pidLine = ''] = text.split('\n').map((l) => l.trim());
  const pid = Number(pidLine);
  return Number.isInteger(pid) && pid > 0 ? { owner, pid } : { owner };
}

/** True when a slot other than `slot` is held (by a running cluster or a leftover lock). */
function otherSlotsHeld(slot: number): boolean {
  if (existsSync(LEGACY_LOCK)) return true;
  for (let s = 0; s < MAX_SLOTS; s++) if (s !== slot && existsSync(slotLock(s))) return true;
  return false;
}

/**
 * Takes the first free slot (or `wanted`) for the cluster in `dir`: a slot
 * whose lock names a cluster that is no longer running is cleaned up and
 * taken. The lock is created exclusively, so two clusters starting at once
 * never share a slot.
 */
async function claimSlot(dir: string, wanted?: number): Promise<number> {
  const held: string[] = [];
  const candidates = wanted === undefined ? [...Array(MAX_SLOTS).keys()] : [wanted];
  for (const slot of candidates) {
    const plan = networkPlan(slot);
    // A cluster from before slots: its bridge and routes use slot 0's ranges.
    if (slot === 0 && existsSync(LEGACY_LOCK)) {
      held.push((await readFile(LEGACY_LOCK, 'utf8')).trim());
      continue;
    }
    const lock = slotLock(slot);
    if (existsSync(lock)) {
      const { owner, pid } = parseSlotLock(await readFile(lock, 'utf8'));
      // The process that took the lock is still alive: the cluster may be
      // half started (no state written yet, no kubelet yet), never torn down.
      if (pid !== undefined && pid !== process.pid && isAlive(pid)) {
        held.push(owner);
        continue;
      }
      const ownerState = await readLocalClusterState(owner);
      if (ownerState && isLocalClusterRunning(ownerState)) {
        held.push(owner);
        continue;
      }
      if (ownerState?.network.plan) await stopLocalClusterFromState(ownerState);
      else await teardownHostNetwork({ plan }, { otherClustersRunning: true });
      await rm(lock, { force: true });
    } else if (await slotInUse(plan)) {
      held.push(
        `${plan.namespace} (no lock: remove with ip netns del ${plan.namespace}; ip link del ${plan.hostLink})`,
      );
      continue;
    }
    try {
      await writeFile(lock, `${dir}\n${process.pid}\n`, { flag: 'wx' });
      return slot;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      held.push(`slot ${slot}`);
    }
  }
  throw new ClusterRunningError(held);
}

async function releaseSlot(slot: number, dir: string): Promise<void> {
  try {
    if (parseSlotLock(await readFile(slotLock(slot), 'utf8')).owner === dir)
      await rm(slotLock(slot), { force: true });
  } catch {
    /* already released */
  }
}

async function waitForDeployments(
  kc: KubeConfig,
  which: readonly (readonly [string, string])[],
): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  let last = '';
  await waitUntil(
    async () => {
      for (const [namespace, name] of which) {
        const d = await apps.readNamespacedDeployment({ namespace, name });
        const ready = d.status?.readyReplicas ?? 0;
        last = `${namespace}/${name} ready ${ready}/${d.spec?.replicas ?? 1}`;
        if (ready < (d.spec?.replicas ?? 1)) return false;
      }
      return true;
    },
    120_000,
    () => new Error(`add-ons not ready: ${last}`),
  );
}
