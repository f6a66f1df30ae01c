// Fault injection through the mechanisms real failures use: SIGKILL to a
// container's process, containerd's task pause/resume (the cgroup freezer),
// the cluster-side end of a pod's veth taken down, and a node's kubelet and
// containerd stopped. Tests then watch Kubernetes report it (restartCount,
// Ready=False, NotReady nodes...).

import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';

import type { NodeBinaries } from './binaries.js';
import { run } from './command.js';
import { runIn } from './host-network.js';
import type { NetworkPlan } from './host-network.js';
import type { LocalNode } from './node.js';

/** A pod, and optionally which of its containers (default: the first). */
export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly container?: string;
}

/** Real faults for a pod's containers, its network and the nodes, as the fault-injection tests use them. */
export interface Faults {
  /** SIGKILLs the container's main process; the kubelet restarts it per the pod's restartPolicy. */
  killContainer(pod: PodRef): Promise<void>;
  /** Freezes every process of the container (containerd task pause). */
  freezeContainer(pod: PodRef): Promise<void>;
  /** Resumes a frozen container. */
  thawContainer(pod: PodRef): Promise<void>;
  /** Takes the cluster side of the pod's veth down: nothing reaches the pod, nothing leaves it. */
  cutNetwork(pod: PodRef): Promise<void>;
  /** Brings a cut pod's network back. */
  healNetwork(pod: PodRef): Promise<void>;
  /** Stops the node's kubelet and containerd (containers keep running); the Node goes NotReady. */
  stopNode(nodeName: string): Promise<void>;
  /** Starts containerd and the kubelet again and waits for Ready. */
  startNode(nodeName: string): Promise<void>;
}

export function createFaults(
  kc: KubeConfig,
  nodes: readonly LocalNode[],
  bin: Pick<NodeBinaries, 'crictl' | 'ctr'>,
  /** The cluster's network: only veths on its bridge, in its namespace, are ever taken down. */
  network: NetworkPlan,
  /** Called after a node's processes changed (to record the new PIDs). */
  onNodeChange: () => Promise<void> = () => Promise.resolve(),
): Faults {
  const core = kc.makeApiClient(CoreV1Api);
  const nodeNamed = (name: string) => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no local node named ${name} (nodes: ${nodes.map((n) => n.name).join(', ')})`);
    return node;
  };

  /** The pod's node and the container's runtime ID. */
  const locate = async (ref: PodRef): Promise<{ node: LocalNode; containerId: string; pod: V1Pod }> => {
    const pod = await core.readNamespacedPod({ namespace: ref.namespace, name: ref.name });
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) throw new Error(`pod ${ref.namespace}/${ref.name} is not scheduled`);
    const statuses = pod.status?.containerStatuses ?? [];
    const status = ref.container ? statuses.find((s) => s.name === ref.container) : statuses[0];
    const id = status?.containerID?.replace(/^containerd:\/\//, '');
    if (!id)
      throw new Error(
        `pod ${ref.namespace}/${ref.name}: container ${ref.container ?? '(first)'} has no running container`,
      );
    return { node: nodeNamed(nodeName), containerId: id, pod };
  };

  const inspect = async (node: LocalNode, containerId: string) => {
    const out = await run(bin.crictl, [
      '--runtime-endpoint',
      `unix://${node.containerdSocket}`,
      'inspect',
      '-o',
      'json',
      containerId,
    ]);
    return JSON.parse(out) as {
      info?: { pid?: number; runtimeSpec?: { linux?: { namespaces?: { type: string; path?: string }[] } } };
    };
  };

  const ctrTask = async (ref: PodRef, verb: 'pause' | 'resume') => {
    const { node, containerId } = await locate(ref);
    await run(bin.ctr, [
      '--address',
      node.containerdSocket,
      '--namespace',
      'k8s.io',
      'tasks',
      verb,
      containerId,
    ]);
  };

  /** Name of the host-side veth of the pod's network namespace. */
  const hostVeth = async (ref: PodRef): Promise<string> => {
    const { node, containerId } = await locate(ref);
    const info = await inspect(node, containerId);
    const netns = info.info?.runtimeSpec?.linux?.namespaces?.find((n) => n.type === 'network')?.path;
    if (!netns) throw new Error(`pod ${ref.namespace}/${ref.name}: no network namespace found`);
    // Ask netlink inside the pod's namespace (sysfs would still show the
    // host's interfaces): `2: eth0@if7: ...` names the host-side peer's index.
    const inside = await run('nsenter', [`--net=${netns}`, 'ip', '-o', 'link', 'show', 'eth0']);
    const peerIndex = /eth0@if(\d+):/.exec(inside)?.[1];
    if (!peerIndex)
      throw new Error(`pod ${ref.namespace}/${ref.name}: eth0 is not a veth (${inside.trim()})`);
    // The peer lives in the cluster namespace: find it there, and only ever
    // touch a veth plugged into the cluster's bridge.
    for (const line of (await runIn(network, 'ip', ['-o', '-d', 'link', 'show'])).split('\n')) {
      const m = /^(\d+): ([^@:]+)[@:]/.exec(line);
      if (m?.[1] !== peerIndex || !m[2]) continue;
      if (!line.includes(` master ${network.bridge} `) || !/ veth /.test(line)) {
        throw new Error(
          `pod ${ref.namespace}/${ref.name}: interface ${m[2]} is not a veth on bridge ${network.bridge}`,
        );
      }
      return m[2];
    }
    throw new Error(`pod ${ref.namespace}/${ref.name}: host veth with index ${peerIndex} not found`);
  };

  return {
    async killContainer(ref) {
      const { node, containerId } = await locate(ref);
      const pid = (await inspect(node, containerId)).info?.pid;
      if (!pid) throw new Error(`container ${containerId} has no process`);
      process.kill(pid, 'SIGKILL');
    },
    freezeContainer: (ref) => ctrTask(ref, 'pause'),
    thawContainer: (ref) => ctrTask(ref, 'resume'),
    async cutNetwork(ref) {
      await runIn(network, 'ip', ['link', 'set', await hostVeth(ref), 'down']);
    },
    async healNetwork(ref) {
      await runIn(network, 'ip', ['link', 'set', await hostVeth(ref), 'up']);
    },
    async stopNode(name) {
      await nodeNamed(name).stop();
      await onNodeChange();
    },
    async startNode(name) {
      const node = nodeNamed(name);
      try {
        await node.start();
      } finally {
        await onNodeChange();
      }
    },
  };
}
