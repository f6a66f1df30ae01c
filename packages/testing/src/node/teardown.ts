// Tear-down that leaves nothing: every process, network namespace, veth,
// mount, cgroup, iptables rule and file the local cluster's nodes made. It
// works from recorded state alone (PIDs, folders, names), so `cluster down`
// in another shell, or a test's clean-up after a crash, can run it.
//
// Order and why:
//   1. kubelets first, so nothing restarts the pods being removed; then
//      kube-proxy;
//   2. every pod sandbox through containerd's CRI (`crictl rmp`), which runs
//      the CNI DEL that removes veths, IPAM leases and port mappings; a
//      stopped containerd is started again (in the cluster namespace) for this;
//   3. containerd, then any shim or container process still in the node's
//      cgroups or naming its socket (SIGKILL: they are ours);
//   4. mounts under the node folders (overlay rootfs, pod namespaces,
//      volumes), deepest first, then the cgroup roots;
//   5. the CNI result cache of our networks and the kubelet's container log
//      links (fixed host paths);
//   6. the cluster namespace, which takes its bridge, veths, routes and every
//      iptables rule the kubelet and kube-proxy made with it; the host link and
//      host rule; the fixed host folders the cluster created.
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { isAlive, startProcess, stopPid } from '../control-plane/process.js';
import { cgroupMounts, removeCgroupRoot } from './cgroups.js';
import { run, tryRun } from './command.js';
import { containerdLayout } from './containerd.js';
import { inNamespace, namespacePath, teardownHostNetwork } from './host-network.js';
import type { HostNetworkRecord, NetworkPlan } from './host-network.js';
import type { NodeState } from './node.js';

export interface NodesTeardownInput {
  readonly nodes: readonly NodeState[];
  readonly kubeProxyPid?: number;
  readonly network: HostNetworkRecord;
  /** Whether other local clusters run on the host (then shared host folders stay). */
  readonly otherClustersRunning: boolean;
  readonly binaries: { readonly containerd: string; readonly crictl: string };
}

const CNI_CACHE = '/var/lib/cni/results';
const CONTAINER_LOG_LINKS = '/var/log/containers';

export async function teardownNodes(input: NodesTeardownInput): Promise<void> {
  for (const node of input.nodes) if (node.pids.kubelet) await stopPid(node.pids.kubelet);
  if (input.kubeProxyPid) await stopPid(input.kubeProxyPid);

  const plan = input.network.plan;
  await Promise.all(input.nodes.map((node) => removeNodeContainers(node, plan, input.binaries)));
  for (const node of input.nodes) {
    await unmountBelow(node.dir);
    await removeCgroupsWithRetry(node.cgroupRoot);
    removeCniCache(node.networkName);
    removeContainerLogLinks(node.dir);
  }
  await teardownHostNetwork(input.network, { otherClustersRunning: input.otherClustersRunning });
}

async function removeNodeContainers(
  node: NodeState,
  plan: NetworkPlan,
  bin: NodesTeardownInput['binaries'],
): Promise<void> {
  const layout = containerdLayout(node.dir);
  let pid = node.pids.containerd;
  if (existsSync(layout.configFile) && existsSync(namespacePath(plan)) && (!pid || !isAlive(pid))) {
    const p = startProcess({
      name: `containerd (${node.name}, clean-up)`,
      ...inNamespace(plan, bin.containerd, ['--config', layout.configFile]),
      logFile: layout.logFile,
      env: { PATH: `${join(bin.containerd, '..')}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}` },
    });
    pid = p.pid;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !p.hasExited() && !existsSync(layout.socket)) await sleep(100);
  }
  if (pid && isAlive(pid)) {
    const endpoint = `unix://${layout.socket}`;
    await tryRun(bin.crictl, ['--runtime-endpoint', endpoint, '--timeout', '60s', 'rmp', '--force', '--all']);
    await stopPid(pid);
  }
  // Shims (they name the socket in their arguments) and anything left in the node's cgroups.
  for (const other of processesOf(node)) await stopPid(other, 0);
}

/** PIDs of processes that belong to a node: its shims and every process in its cgroup root. */
export function processesOf(node: NodeState): number[] {
  const pids = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(node.containerdSocket) && cmdline.includes('containerd-shim')) pids.add(pid);
      const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      if (cgroup.includes(`:/${node.cgroupRoot}/`) || cgroup.includes(`:/${node.cgroupRoot}\n`))
        pids.add(pid);
    } catch {
      /* exited meanwhile */
    }
  }
  pids.delete(process.pid);
  return [...pids];
}

/** Mount points under `dir`, deepest first. */
export function mountsBelow(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[1] ?? '').replace(/\\040/g, ' '))
    .filter((m) => m.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

async function unmountBelow(dir: string): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    const mounts = mountsBelow(dir);
    if (mounts.length === 0) return;
    for (const m of mounts) if (!(await tryRun('umount', [m]))) await tryRun('umount', ['-l', m]);
  }
}

async function removeCgroupsWithRetry(root: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    if ((await removeCgroupRoot(root)).length === 0) return;
    await sleep(250);
  }
}

function removeCniCache(networkName: string): void {
  if (!existsSync(CNI_CACHE)) return;
  for (const f of readdirSync(CNI_CACHE)) {
    if (f.startsWith(`${networkName}-`)) void rm(join(CNI_CACHE, f), { force: true });
  }
}

/** The kubelet links each container's log into a fixed folder; drop the links into this node's folder. */
function removeContainerLogLinks(nodeDir: string): void {
  if (!existsSync(CONTAINER_LOG_LINKS)) return;
  for (const f of readdirSync(CONTAINER_LOG_LINKS)) {
    try {
      if (readlinkSync(join(CONTAINER_LOG_LINKS, f)).startsWith(`${nodeDir}/`))
        rmSync(join(CONTAINER_LOG_LINKS, f));
    } catch {
      /* not a link */
    }
  }
}

/** What a local cluster could leave behind on the host, as readable lines; empty when nothing is left. */
export async function findLeftovers(input: {
  readonly nodes: readonly NodeState[];
  readonly network: NetworkPlan;
  readonly pids?: readonly number[];
  /** Host folders the cluster created (its network record's createdFolders). */
  readonly createdFolders?: readonly string[];
}): Promise<string[]> {
  const found: string[] = [];
  for (const f of input.createdFolders ?? []) if (existsSync(f)) found.push(`folder ${f}`);
  for (const pid of input.pids ?? []) if (isAlive(pid)) found.push(`process ${pid} still running`);
  for (const node of input.nodes) {
    for (const pid of [node.pids.kubelet, node.pids.containerd]) {
      if (pid && isAlive(pid)) found.push(`${node.name}: process ${pid} still running`);
    }
    for (const pid of processesOf(node))
      found.push(`${node.name}: process ${pid} (${commOf(pid)}) still running`);
    for (const m of mountsBelow(node.dir)) found.push(`${node.name}: mount ${m}`);
    for (const mount of cgroupMounts()) {
      if (existsSync(join(mount, node.cgroupRoot)))
        found.push(`${node.name}: cgroup ${join(mount, node.cgroupRoot)}`);
    }
    if (existsSync(CONTAINER_LOG_LINKS)) {
      for (const f of readdirSync(CONTAINER_LOG_LINKS)) {
        try {
          if (readlinkSync(join(CONTAINER_LOG_LINKS, f)).startsWith(`${node.dir}/`))
            found.push(`${node.name}: log link ${f}`);
        } catch {
          /* not a link */
        }
      }
    }
    if (existsSync(CNI_CACHE)) {
      for (const f of readdirSync(CNI_CACHE))
        if (f.startsWith(`${node.networkName}-`)) found.push(`${node.name}: CNI cache ${f}`);
    }
  }
  const plan = input.network;
  if (existsSync(namespacePath(plan))) found.push(`network namespace ${namespacePath(plan)}`);
  if (await tryRun('ip', ['link', 'show', plan.hostLink])) found.push(`host link ${plan.hostLink}`);
  for (const cidr of [plan.clusterCIDR, plan.serviceCIDR]) {
    if ((await run('ip', ['route', 'show', cidr])).trim()) found.push(`host route ${cidr}`);
  }
  for (const line of (await run('iptables', ['-w', '-S', 'FORWARD'])).split('\n')) {
    if (line.includes(plan.hostLink)) found.push(`host rule ${line}`);
  }
  return found;
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() || readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '?';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
