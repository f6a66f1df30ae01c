// The host side of the local cluster's network: one Linux bridge that every
// node's pods plug into, with the API server's address and one gateway
// address per node on it.
//
//   10.244.0.0/16  pod network (clusterCIDR); the bridge holds 10.244.0.1/16,
//                  where the API server binds and the host answers pods
//   10.244.N.0/24  pods of node N (N = 1, 2, ...); 10.244.N.1 is node N's
//                  gateway and its node IP (the kubelet listens there)
//   10.96.0.0/16   Services; 10.96.0.1 the API server, 10.96.0.10 cluster DNS
//
// Pods get no route off the machine: nothing masquerades them to the host's
// uplink, and a filter chain rejects anything forwarded from the bridge to
// another interface. The Service range is routed onto the bridge so the host
// never sends an unknown ClusterIP to its default gateway.
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { run, tryRun } from './command.js';

/** Addresses of a local cluster's network. */
export interface NetworkPlan {
  /** Bridge interface name (at most 15 characters). */
  readonly bridge: string;
  /** The host's address on the bridge; the API server binds here. */
  readonly hostAddress: string;
  /** Pod network, split into a /24 per node. */
  readonly clusterCIDR: string;
  readonly serviceCIDR: string;
  /** ClusterIP of the cluster DNS Service (kube-system/kube-dns). */
  readonly dnsServiceIP: string;
}

export const DEFAULT_NETWORK: NetworkPlan = {
  bridge: 'sb0',
  hostAddress: '10.244.0.1',
  clusterCIDR: '10.244.0.0/16',
  serviceCIDR: '10.96.0.0/16',
  dnsServiceIP: '10.96.0.10',
};

/** Node N's pod CIDR and node IP (its gateway address on the bridge). */
export function nodeSubnet(plan: NetworkPlan, index: number): { podCIDR: string; nodeIP: string } {
  if (!Number.isInteger(index) || index < 1 || index > 254) {
    throw new RangeError(`node index must be 1..254, got ${index}`);
  }
  const [a, b] = plan.clusterCIDR.split('.');
  return { podCIDR: `${a}.${b}.${index}.0/24`, nodeIP: `${a}.${b}.${index}.1` };
}

/** The filter chain that keeps pod traffic on the machine. */
export const ISOLATION_CHAIN = 'SWITCHBOARD-ISOLATE';

/** What {@link setupHostNetwork} changed, so {@link teardownHostNetwork} can undo exactly that. */
export interface HostNetworkRecord {
  readonly plan: NetworkPlan;
  /** sysctl path => value before we changed it. */
  readonly sysctls: Readonly<Record<string, string>>;
  /** Host folders that did not exist before the cluster (see {@link HOST_FOLDERS}). */
  readonly createdFolders?: readonly string[];
}

/**
 * Fixed host folders the node stack creates whatever its configured roots:
 * the kubelet's device-plugin socket and container log links, the CNI result
 * cache, containerd's shim sockets, util-linux's mount table. Removed at
 * tear-down when the cluster created them and they hold no regular file.
 */
export const HOST_FOLDERS = [
  '/var/lib/kubelet',
  '/var/log/containers',
  '/var/lib/cni',
  '/run/containerd',
  '/run/mount',
] as const;

/** True when the tree holds no regular file (only folders, sockets, symlinks). */
function holdsNoFile(path: string): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return true;
  if (st.isDirectory()) return readdirSync(path).every((e) => holdsNoFile(join(path, e)));
  return !st.isFile();
}

/** Removes the host folders the cluster created, unless something put a file in them. */
export function removeCreatedFolders(folders: readonly string[]): string[] {
  const kept: string[] = [];
  for (const f of folders) {
    if (!existsSync(f)) continue;
    if (holdsNoFile(f)) rmSync(f, { recursive: true, force: true });
    else kept.push(f);
  }
  return kept;
}

const SYSCTLS = {
  '/proc/sys/net/ipv4/ip_forward': '1',
  // Replies between pods on the one bridge must pass iptables for Service NAT.
  '/proc/sys/net/bridge/bridge-nf-call-iptables': '1',
} as const;

/** True when the bridge already exists (another local cluster, or a leftover). */
export async function bridgeExists(plan: NetworkPlan): Promise<boolean> {
  return tryRun('ip', ['link', 'show', plan.bridge]);
}

export async function setupHostNetwork(plan: NetworkPlan): Promise<HostNetworkRecord> {
  const prefix = plan.clusterCIDR.split('/')[1] ?? '16';
  if (!(await bridgeExists(plan))) await run('ip', ['link', 'add', plan.bridge, 'type', 'bridge']);
  await run('ip', ['addr', 'replace', `${plan.hostAddress}/${prefix}`, 'dev', plan.bridge]);
  await run('ip', ['link', 'set', plan.bridge, 'up']);
  await run('ip', ['route', 'replace', plan.serviceCIDR, 'dev', plan.bridge, 'src', plan.hostAddress]);

  const createdFolders = HOST_FOLDERS.filter((f) => !existsSync(f));
  const sysctls: Record<string, string> = {};
  for (const [path, value] of Object.entries(SYSCTLS)) {
    if (!existsSync(path)) continue;
    const before = readFileSync(path, 'utf8').trim();
    if (before !== value) {
      sysctls[path] = before;
      writeFileSync(path, value);
    }
  }

  if (!(await tryRun('iptables', ['-w', '-S', ISOLATION_CHAIN]))) {
    await run('iptables', ['-w', '-N', ISOLATION_CHAIN]);
  }
  await run('iptables', ['-w', '-F', ISOLATION_CHAIN]);
  await run('iptables', [
    '-w',
    '-A',
    ISOLATION_CHAIN,
    '-i',
    plan.bridge,
    '!',
    '-o',
    plan.bridge,
    '-m',
    'comment',
    '--comment',
    'switchboard: pods stay on this machine',
    '-j',
    'REJECT',
    '--reject-with',
    'icmp-net-unreachable',
  ]);
  if (!(await tryRun('iptables', ['-w', '-C', 'FORWARD', '-j', ISOLATION_CHAIN]))) {
    await run('iptables', ['-w', '-I', 'FORWARD', '1', '-j', ISOLATION_CHAIN]);
  }
  return { plan, sysctls, createdFolders };
}

/** Gives node N its gateway address (also its node IP) on the bridge. */
export async function addNodeAddress(plan: NetworkPlan, index: number): Promise<string> {
  const { nodeIP } = nodeSubnet(plan, index);
  await run('ip', ['addr', 'replace', `${nodeIP}/24`, 'dev', plan.bridge]);
  return nodeIP;
}

/** Undoes {@link setupHostNetwork}: bridge (and with it its addresses and routes), chain, sysctls. */
export async function teardownHostNetwork(record: HostNetworkRecord): Promise<void> {
  const { plan } = record;
  while (await tryRun('iptables', ['-w', '-D', 'FORWARD', '-j', ISOLATION_CHAIN])) {
    /* a jump inserted twice is removed twice */
  }
  await tryRun('iptables', ['-w', '-F', ISOLATION_CHAIN]);
  await tryRun('iptables', ['-w', '-X', ISOLATION_CHAIN]);
  await tryRun('ip', ['link', 'del', plan.bridge]);
  removeCreatedFolders(record.createdFolders ?? []);
  for (const [path, value] of Object.entries(record.sysctls)) {
    try {
      writeFileSync(path, value);
    } catch {
      /* the host may have changed it back already */
    }
  }
}
