// A node of the local cluster: containerd and the kubelet, each started by
// PID from its own folder, in the cluster's network namespace (see
// host-network.ts), plugged into the cluster bridge.
//
// Start order and why:
//   1. the node's gateway address on the bridge: it is the node IP, and the
//      kubelet binds there;
//   2. the cgroup root: the kubelet refuses to start without it;
//   3. certificates and kubeconfig from the cluster CA;
//   4. containerd, waited for on its socket: the kubelet's first runtime
//      check fails otherwise and it backs off;
//   5. the Node object, created with this node's pod CIDR before the kubelet
//      registers, so the controller-manager's CIDR allocator records that CIDR
//      instead of handing out another;
//   6. the kubelet.
// Stopping runs it backwards; containers are removed by the cluster's
// tear-down (see teardown.ts), not here, so a stopped node's containers keep
// running like a real node whose kubelet died.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Node } from '@kubernetes/client-node';

import { ComponentNotReadyError } from '../control-plane/control-plane.js';
import { waitUntil } from '../control-plane/health.js';
import { writeKubeconfig } from '../control-plane/kubeconfig.js';
import type { Pki } from '../control-plane/pki.js';
import { freePort } from '../control-plane/ports.js';
import { isAlive, startProcess, stopPid } from '../control-plane/process.js';
import { nodeBinaries, NODE_VERSIONS } from './binaries.js';
import type { NodeBinaries } from './binaries.js';
import { createCgroupRoot } from './cgroups.js';
import { tryRun } from './command.js';
import { containerdLayout, writeContainerdConfig } from './containerd.js';
import { addNodeAddress, inNamespace, nodeSubnet } from './host-network.js';
import type { NetworkPlan } from './host-network.js';
import { kubeletArgs, kubeletLayout, writeKubeletConfig } from './kubelet.js';

/** Everything needed to find and clean up a node from another process. */
export interface NodeState {
  readonly name: string;
  readonly index: number;
  readonly dir: string;
  readonly nodeIP: string;
  readonly podCIDR: string;
  /** Cgroup root name (a folder in every hierarchy). */
  readonly cgroupRoot: string;
  readonly containerdSocket: string;
  readonly networkName: string;
  readonly pids: { readonly containerd?: number; readonly kubelet?: number };
}

/** Options of {@link startNode}. */
export interface StartNodeOptions {
  /** 1-based; picks the pod CIDR 10.244.<index>.0/24 and node IP 10.244.<index>.1. */
  readonly index: number;
  /** Node name; default `node-<index>`. */
  readonly name?: string;
  /** The node's folder (containerd and kubelet data, logs). */
  readonly dir: string;
  readonly network: NetworkPlan;
  /** API server URL, e.g. https://10.244.0.1:6443. */
  readonly server: string;
  /** Admin kubeconfig, to create the Node object and wait for Ready. */
  readonly adminKubeconfig: string;
  readonly pki: Pki;
  /** `host:port` of the local registry. */
  readonly registry: string;
  readonly binaries?: NodeBinaries;
  /** Wait until the Node reports Ready. Default true. */
  readonly waitReady?: boolean;
  /** How long to wait for Ready, in ms. Default 90 000. */
  readonly readyTimeoutMs?: number;
  /** Called with one line per step, for people watching. */
  readonly onProgress?: (line: string) => void;
}

/** A running node, with the controls fault-injection tests use. */
export interface LocalNode {
  readonly name: string;
  readonly nodeIP: string;
  readonly podCIDR: string;
  readonly dir: string;
  /** containerd's gRPC socket (for ctr and crictl). */
  readonly containerdSocket: string;
  /** PIDs, paths and addresses, to find and clean up the node from another process. */
  state(): NodeState;
  /** Stops the kubelet only (SIGTERM); pods keep running, the Node goes NotReady. */
  stopKubelet(): Promise<void>;
  /** Starts a stopped kubelet again. */
  startKubelet(): Promise<void>;
  /** Stops containerd only; running containers keep running. */
  stopContainerd(): Promise<void>;
  /** Starts a stopped containerd again. */
  startContainerd(): Promise<void>;
  /** Stops the kubelet, then containerd (containers keep running, as on a real node whose services died). */
  stop(): Promise<void>;
  /** Starts containerd, then the kubelet, and waits for Ready. */
  start(): Promise<void>;
  /** Resolves when the Node's Ready condition is True. */
  waitReady(timeoutMs?: number): Promise<void>;
}

/**
 * Starts one real node (containerd and a kubelet) joined to a running control
 * plane, on the cluster network's bridge; waits for Ready unless told not to.
 * Needs root and the node binaries ({@link nodeBinaries}).
 */
export async function startNode(options: StartNodeOptions): Promise<LocalNode> {
  const bin = options.binaries ?? nodeBinaries();
  const name = options.name ?? `node-${options.index}`;
  const progress = options.onProgress ?? (() => undefined);
  const timeout = options.readyTimeoutMs ?? 90_000;
  const { podCIDR, nodeIP } = nodeSubnet(options.network, options.index);
  // Unique on the host: clusters side by side have nodes of the same name.
  const cgroupRoot = `switchboard-${options.network.namespace}-${name}`;
  const networkName = `switchboard-${options.network.namespace}-${name}`;
  const cd = containerdLayout(options.dir);
  const kl = kubeletLayout(options.dir);
  for (const d of ['logs', 'kubelet']) await mkdir(join(options.dir, d), { recursive: true });

  progress(`${name}: network ${podCIDR}, node IP ${nodeIP}`);
  await addNodeAddress(options.network, options.index);
  await createCgroupRoot(cgroupRoot);

  const [client, serving] = await Promise.all([
    options.pki.issue({
      name: `${name}-kubelet-client`,
      commonName: `system:node:${name}`,
      organizations: ['system:nodes'],
      usages: ['client'],
    }),
    options.pki.issue({
      name: `${name}-kubelet-serving`,
      commonName: `system:node:${name}`,
      organizations: ['system:nodes'],
      dnsNames: [name],
      ipAddresses: [nodeIP],
      usages: ['server'],
    }),
  ]);
  await writeKubeconfig({
    path: kl.kubeconfig,
    server: options.server,
    caFile: options.pki.ca.certFile,
    client,
    userName: `system:node:${name}`,
  });
  await writeContainerdConfig({
    layout: cd,
    runc: bin.runc,
    cniBinDir: bin.cniBinDir,
    registry: options.registry,
    sandboxImage: `registry.k8s.io/pause:${NODE_VERSIONS.pause}`,
    network: options.network,
    podCIDR,
    gateway: nodeIP,
    networkName,
  });
  await writeKubeletConfig({
    layout: kl,
    nodeIP,
    containerdSocket: cd.socket,
    healthzPort: await freePort(),
    cgroupRoot: `/${cgroupRoot}`,
    clientCAFile: options.pki.ca.certFile,
    serving,
    dnsServiceIP: options.network.dnsServiceIP,
  });

  const node = nodeHandle(
    {
      name,
      index: options.index,
      dir: options.dir,
      nodeIP,
      podCIDR,
      cgroupRoot,
      containerdSocket: cd.socket,
      networkName,
      pids: {},
    },
    {
      binaries: bin,
      network: options.network,
      adminKubeconfig: options.adminKubeconfig,
      onProgress: progress,
      readyTimeoutMs: timeout,
    },
  );
  await node.startContainerd();
  const kc = new KubeConfig();
  kc.loadFromFile(options.adminKubeconfig);
  await createNodeObject(kc.makeApiClient(CoreV1Api), name, options.index, podCIDR);
  await node.startKubelet();
  if (options.waitReady ?? true) await node.waitReady();
  return node;
}

/**
 * The controls of a node whose folder is already laid out: by {@link startNode},
 * or by another process (then `state.pids` names the running processes). The
 * configuration files on disk are the whole truth, so a node stopped by one
 * process can be started again by another.
 */
export function nodeHandle(
  state: NodeState,
  options: {
    readonly binaries: NodeBinaries;
    /** The cluster's network: containerd and the kubelet run in its namespace. */
    readonly network: NetworkPlan;
    readonly adminKubeconfig: string;
    readonly onProgress?: (line: string) => void;
    readonly readyTimeoutMs?: number;
  },
): LocalNode {
  const { name, nodeIP } = state;
  const bin = options.binaries;
  const progress = options.onProgress ?? (() => undefined);
  const cd = containerdLayout(state.dir);
  const kl = kubeletLayout(state.dir);
  const kc = new KubeConfig();
  kc.loadFromFile(options.adminKubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const pids: { containerd?: number; kubelet?: number } = { ...state.pids };
  const binDir = join(bin.containerd, '..');
  const running = (pid: number | undefined): pid is number => pid !== undefined && isAlive(pid);

  const startContainerd = async () => {
    if (running(pids.containerd)) return;
    progress(`${name}: starting containerd`);
    const p = startProcess({
      name: `containerd (${name})`,
      ...inNamespace(options.network, bin.containerd, ['--config', cd.configFile]),
      logFile: cd.logFile,
      // containerd finds its shim on PATH.
      env: { PATH: `${binDir}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}` },
    });
    pids.containerd = p.pid;
    let last = '';
    await waitUntil(
      async () => {
        if (p.hasExited())
          throw new ComponentNotReadyError(p.spec.name, `exited with ${String(await p.exited)}`, cd.logFile);
        const ok = await tryRun(bin.ctr, ['--address', cd.socket, 'version']);
        last = ok ? 'ok' : 'no answer';
        return ok;
      },
      30_000,
      () => new ComponentNotReadyError(p.spec.name, `socket ${cd.socket}: ${last}`, cd.logFile),
    );
  };

  const startKubelet = (): Promise<void> => {
    if (running(pids.kubelet)) return Promise.resolve();
    progress(`${name}: starting kubelet`);
    pids.kubelet = startProcess({
      name: `kubelet (${name})`,
      ...inNamespace(options.network, bin.kubelet, kubeletArgs({ layout: kl, nodeName: name, nodeIP })),
      logFile: kl.logFile,
    }).pid;
    return Promise.resolve();
  };

  const waitReady = async (ms = options.readyTimeoutMs ?? 90_000) => {
    let last = 'not registered';
    await waitUntil(
      async () => {
        if (!running(pids.kubelet))
          throw new ComponentNotReadyError(`kubelet (${name})`, 'not running', kl.logFile);
        try {
          const node = await core.readNode({ name });
          const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
          last = ready
            ? `Ready=${ready.status} (${ready.reason ?? ''}: ${ready.message ?? ''})`
            : 'no Ready condition';
          return ready?.status === 'True';
        } catch (err) {
          last = err instanceof Error ? err.message.slice(0, 200) : String(err);
          return false;
        }
      },
      ms,
      () => new ComponentNotReadyError(`node ${name}`, `${last} after ${ms} ms`, kl.logFile),
    );
  };

  const node: LocalNode = {
    name,
    nodeIP,
    podCIDR: state.podCIDR,
    dir: state.dir,
    containerdSocket: cd.socket,
    state: () => ({
      ...state,
      pids: {
        ...(running(pids.containerd) ? { containerd: pids.containerd } : {}),
        ...(running(pids.kubelet) ? { kubelet: pids.kubelet } : {}),
      },
    }),
    async stopKubelet() {
      if (pids.kubelet !== undefined) await stopPid(pids.kubelet);
    },
    startKubelet,
    async stopContainerd() {
      if (pids.containerd !== undefined) await stopPid(pids.containerd);
    },
    startContainerd,
    async stop() {
      await node.stopKubelet();
      await node.stopContainerd();
    },
    async start() {
      await startContainerd();
      await startKubelet();
      await waitReady();
    },
    waitReady,
  };
  return node;
}

/** Labels a kubelet would set itself, plus the node's index. */
async function createNodeObject(
  core: CoreV1Api,
  name: string,
  index: number,
  podCIDR: string,
): Promise<void> {
  const body: V1Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        'switchboard.dev/node-index': String(index),
      },
    },
    spec: { podCIDR, podCIDRs: [podCIDR] },
  };
  try {
    await core.createNode({ body });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}
