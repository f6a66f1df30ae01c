// Whether a member's node looks lost (../runbook/replace-member.ts judges a
// member failed after it stays unhealthy; this says why, and whether its
// data may only be cut off). Read only for suspect member Pods (not Ready,
// Terminating, or of a member etcd calls unhealthy), so a healthy cluster
// costs no extra API call:
// - a scheduled Pod: its node (spec.nodeName);
// - an unscheduled Pod: the node its PVC's volume is bound to, from the
//   PersistentVolume's required nodeAffinity on kubernetes.io/hostname (a
//   local volume, as local-path provisions, can only ever run there).
// A node is lost when it is gone or its Ready condition is not True (the node
// controller sets Unknown once the kubelet stops posting status).
import type { Client } from '@switchboard/core';
import { isNotFound } from '@switchboard/core';

import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from '../kube/kube-types.js';
import { NodeType, PvType } from '../kube/kube-types.js';

const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** The hostname a volume is pinned to by its required nodeAffinity, if any. */
export function volumeHostname(pv: PersistentVolume): string | undefined {
  for (const term of pv.spec.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) {
      if (e.key === HOSTNAME_LABEL && e.operator === 'In' && e.values?.length === 1) return e.values[0];
    }
  }
  return undefined;
}

/** Why `node` looks lost, or undefined when it is Ready. `name` is what was looked for. */
export function nodeLoss(name: string, node: Node | undefined): string | undefined {
  if (node === undefined) return `node ${name} is gone`;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return undefined;
  const why = [ready?.reason, ready?.message].filter(Boolean).join(': ');
  return `node ${name} is NotReady (Ready=${ready?.status ?? 'absent'}${why ? `: ${why}` : ''})`;
}

/**
 * For each suspect member Pod whose node (or volume's node) looks lost: why.
 * When the Nodes or PVs cannot be read, every suspect gets that as its
 * problem: the runbook then keeps the member's data (quarantine) rather than
 * judge its node healthy unseen.
 */
export async function observeNodeProblems(
  client: Client,
  suspects: readonly Pod[],
  pvcs: readonly PersistentVolumeClaim[],
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  try {
    return await nodeProblems(client, suspects, pvcs, signal);
  } catch (err) {
    const why = `its node could not be read: ${err instanceof Error ? err.message : String(err)}`;
    return new Map(suspects.map((p) => [p.metadata.name ?? '', why]));
  }
}

async function nodeProblems(
  client: Client,
  suspects: readonly Pod[],
  pvcs: readonly PersistentVolumeClaim[],
  signal: AbortSignal | undefined,
): Promise<Map<string, string>> {
  const call = signal ? { signal } : {};
  if (suspects.length === 0) return new Map();
  // Where each suspect lives: its node by name, or its volume's node by hostname.
  const wanted = new Map<string, { node?: string; volumeHost?: string; volume?: string }>();
  for (const pod of suspects) {
    const name = pod.metadata.name ?? '';
    if (pod.spec.nodeName) {
      wanted.set(name, { node: pod.spec.nodeName });
      continue;
    }
    const volume = pvcs.find((c) => c.metadata.name === name)?.spec.volumeName;
    if (!volume) continue; // unbound: the scheduler picks a node for both
    try {
      const pv = await client.resource<PersistentVolume>(PvType).get({ name: volume }, call);
      const host = volumeHostname(pv);
      if (host !== undefined) wanted.set(name, { volumeHost: host, volume });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  if (wanted.size === 0) return new Map();
  const nodes = (await client.resource<Node>(NodeType).listAll(call)).items;
  const byName = new Map(nodes.map((n) => [n.metadata.name ?? '', n]));
  const byHost = new Map(nodes.map((n) => [n.metadata.labels?.[HOSTNAME_LABEL] ?? n.metadata.name ?? '', n]));
  const problems = new Map<string, string>();
  for (const [pod, where] of wanted) {
    if (where.node !== undefined) {
      const loss = nodeLoss(where.node, byName.get(where.node));
      if (loss !== undefined) problems.set(pod, loss);
    } else if (where.volumeHost !== undefined) {
      const loss = nodeLoss(where.volumeHost, byHost.get(where.volumeHost));
      if (loss !== undefined)
        problems.set(pod, `its volume ${where.volume ?? ''} is bound to a node: ${loss}`);
    }
  }
  return problems;
}
