// The local cluster's network. Each cluster gets a network namespace of its
// own ("the cluster namespace", sb<slot>) where its nodes live: the kubelets,
// containerds, kube-proxy and the bridge every pod plugs into. So several
// clusters share one host without sharing Service rules, bridges or chains,
// and tearing one down is deleting its namespace. A veth pair links the
// cluster namespace to the host, where the API server and registry listen.
//
// Slot S (0, 1, ...) uses:
//   10.243.S.0/30   the host link: 10.243.S.1 on the host (API server, registry),
//                   10.243.S.2 in the cluster namespace
//   10.(244+S).0.0/16  pod network; the bridge holds .0.1/16
//   10.(244+S).N.0/24  pods of node N (N = 1, 2, ...); .N.1 is node N's gateway
//                   and its node IP (the kubelet listens there)
//   10.(96+S).0.0/16   Services; .0.1 the API server, .0.10 cluster DNS
// The host routes the pod and Service ranges into the cluster namespace, so
// tests on the host reach pods and ClusterIPs as on a node.
//
// Pods get no route off the machine: the cluster namespace has no default
// route, nothing masquerades to the host's uplink, and the host rejects
// anything it would forward from the link.
import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { run, tryRun } from './command.js';

/** Addresses and names of one local cluster's network. */
export interface NetworkPlan {
  readonly slot: number;
  /** Network namespace holding the nodes (a name under /run/netns). */
  readonly namespace: string;
  /** Host side of the link to the namespace. */
  readonly hostLink: string;
  /** The host's address on the link; the API server and registry bind here. */
  readonly hostAddress: string;
  /** The namespace's address on the link. */
  readonly namespaceAddress: string;
  /** Bridge interface inside the namespace (at most 15 characters). */
  readonly bridge: string;
  /** Pod network, split into a /24 per node. */
  readonly clusterCIDR: string;
  readonly serviceCIDR: string;
  /** ClusterIP of the cluster DNS Service (kube-system/kube-dns). */
  readonly dnsServiceIP: string;
}

/** How many clusters can run side by side. */
export const MAX_SLOTS = 8;

/** The addresses and names of the cluster in `slot` (0..{@link MAX_SLOTS}-1); rejects other slots. */
export function networkPlan(slot: number): NetworkPlan {
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_SLOTS)
    throw new RangeError(`slot must be 0..${MAX_SLOTS - 1}`);
  return {
    slot,
    namespace: `sb${slot}`,
    hostLink: `sbh${slot}`,
    hostAddress: `10.243.${slot}.1`,
    namespaceAddress: `10.243.${slot}.2`,
    bridge: 'sb0',
    clusterCIDR: `10.${244 + slot}.0.0/16`,
    serviceCIDR: `10.${96 + slot}.0.0/16`,
    dnsServiceIP: `10.${96 + slot}.0.10`,
  };
}

/** The first slot's plan. */
export const DEFAULT_NETWORK: NetworkPlan = networkPlan(0);

/** Path of the cluster namespace, for `nsenter --net=`. */
export function namespacePath(plan: NetworkPlan): string {
  return `/run/netns/${plan.namespace}`;
}

/** A command line that runs `command` inside the cluster namespace (same PID: nsenter execs it). */
export function inNamespace(
  plan: NetworkPlan,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  return { command: 'nsenter', args: [`--net=${namespacePath(plan)}`, '--', command, ...args] };
}

/** Runs a command inside the cluster namespace. */
export function runIn(plan: NetworkPlan, command: string, args: readonly string[]): Promise<string> {
  const c = inNamespace(plan, command, args);
  return run(c.command, c.args);
}

/** Node N's pod CIDR and node IP (its gateway address on the bridge). */
export function nodeSubnet(plan: NetworkPlan, index: number): { podCIDR: string; nodeIP: string } {
  if (!Number.isInteger(index) || index < 1 || index > 254) {
    throw new RangeError(`node index must be 1..254, got ${index}`);
  }
  const [a, b] = plan.clusterCIDR.split('.');
  return { podCIDR: `${a}.${b}.${index}.0/24`, nodeIP: `${a}.${b}.${index}.1` };
}

/** What {@link setupHostNetwork} made, so {@link teardownHostNetwork} can undo exactly that. */
export interface HostNetworkRecord {
  readonly plan: NetworkPlan;
  /** Host folders that did not exist before the cluster (see {@link HOST_FOLDERS}). */
  readonly createdFolders?: readonly string[];
}

/**
 * Fixed host folders the node stack creates whatever its configured roots:
 * the kubelet's device-plugin socket and container log links, the CNI result
 * cache, containerd's shim sockets, util-linux's mount table. Removed at
 * tear-down when the cluster created them, no other cluster runs, and they
 * hold no regular file.
 */
export const HOST_FOLDERS = [
  '/var/lib/kubelet',
  '/var/log/containers',
  '/var/lib/cni',
  '/run/containerd',
  '/run/mount',
  // `ip netns add` makes it, and mounts it on itself to share namespace mounts.
  '/run/netns',
] as const;

/** True when the tree holds no regular file (only folders, sockets, symlinks). */
function holdsNoFile(path: string): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return true;
  if (st.isDirectory()) return readdirSync(path).every((e) => holdsNoFile(join(path, e)));
  return !st.isFile();
}

/** Removes the host folders the cluster created, unless something put a file in them. */
export async function removeCreatedFolders(folders: readonly string[]): Promise<string[]> {
  const kept: string[] = [];
  for (const f of folders) {
    if (!existsSync(f)) continue;
    if (holdsNoFile(f))
      while (await tryRun('umount', [f])) {
        /* mounted more than once */
      }
    if (holdsNoFile(f)) rmSync(f, { recursive: true, force: true });
    else kept.push(f);
  }
  return kept;
}

/** True when the slot's namespace or host link exists (a running cluster, or a leftover). */
export async function slotInUse(plan: NetworkPlan): Promise<boolean> {
  return existsSync(namespacePath(plan)) || (await tryRun('ip', ['link', 'show', plan.hostLink]));
}

const REJECT_RULE = (plan: NetworkPlan) => [
  'FORWARD',
  '-i',
  plan.hostLink,
  '-m',
  'comment',
  '--comment',
  `switchboard ${plan.namespace}: pods stay on this machine`,
  '-j',
  'REJECT',
  '--reject-with',
  'icmp-net-unreachable',
];

export async function setupHostNetwork(
  plan: NetworkPlan,
  options: { otherClustersRunning: boolean },
): Promise<HostNetworkRecord> {
  const createdFolders = options.otherClustersRunning ? [] : HOST_FOLDERS.filter((f) => !existsSync(f));
  await run('ip', ['netns', 'add', plan.namespace]);
  const ns = (...args: string[]) => runIn(plan, args[0] ?? '', args.slice(1));
  await ns('ip', 'link', 'set', 'lo', 'up');
  // The link: host side here, the other end moved into the namespace as `host0`.
  await run('ip', ['link', 'add', plan.hostLink, 'type', 'veth', 'peer', 'name', `${plan.hostLink}p`]);
  await run('ip', ['link', 'set', `${plan.hostLink}p`, 'netns', plan.namespace]);
  await ns('ip', 'link', 'set', `${plan.hostLink}p`, 'name', 'host0');
  await run('ip', ['addr', 'add', `${plan.hostAddress}/30`, 'dev', plan.hostLink]);
  await run('ip', ['link', 'set', plan.hostLink, 'up']);
  await ns('ip', 'addr', 'add', `${plan.namespaceAddress}/30`, 'dev', 'host0');
  await ns('ip', 'link', 'set', 'host0', 'up');
  // The bridge, with the /16 so unknown pod addresses stay on it.
  const prefix = plan.clusterCIDR.split('/')[1] ?? '16';
  const bridgeAddress = plan.clusterCIDR.replace(/\.0\/\d+$/, '.1');
  await ns('ip', 'link', 'add', plan.bridge, 'type', 'bridge');
  await ns('ip', 'addr', 'add', `${bridgeAddress}/${prefix}`, 'dev', plan.bridge);
  await ns('ip', 'link', 'set', plan.bridge, 'up');
  await ns('ip', 'route', 'add', plan.serviceCIDR, 'dev', plan.bridge, 'src', bridgeAddress);
  // The namespace routes between the bridge and the link; replies between pods
  // on the one bridge pass iptables for Service NAT.
  await ns('sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
  await ns('sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=1').catch(() => undefined);
  // The host reaches pods and ClusterIPs through the link.
  for (const cidr of [plan.clusterCIDR, plan.serviceCIDR]) {
    await run('ip', ['route', 'replace', cidr, 'via', plan.namespaceAddress, 'dev', plan.hostLink]);
  }
  await run('iptables', ['-w', '-I', ...REJECT_RULE(plan)]);
  return { plan, createdFolders };
}

/** Gives node N its gateway address (also its node IP) on the bridge. */
export async function addNodeAddress(plan: NetworkPlan, index: number): Promise<string> {
  const { nodeIP } = nodeSubnet(plan, index);
  await runIn(plan, 'ip', ['addr', 'replace', `${nodeIP}/24`, 'dev', plan.bridge]);
  return nodeIP;
}

/** Undoes {@link setupHostNetwork}: the namespace (and with it every interface and rule in it), the link, the host rule. */
export async function teardownHostNetwork(
  record: HostNetworkRecord,
  options: { otherClustersRunning: boolean },
): Promise<void> {
  const { plan } = record;
  while (await tryRun('iptables', ['-w', '-D', ...REJECT_RULE(plan)])) {
    /* a rule inserted twice is removed twice */
  }
  await tryRun('ip', ['link', 'del', plan.hostLink]);
  await tryRun('ip', ['netns', 'del', plan.namespace]);
  if (!options.otherClustersRunning) await removeCreatedFolders(record.createdFolders ?? []);
}
