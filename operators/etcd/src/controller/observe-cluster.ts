// Reads the world for one reconcile pass: the cluster's Pods and PVCs from
// the API server (live, not from a cache: the runbook's safety checks must
// not act on a stale view), then etcd through one client per member
// endpoint: a linearizable member list from the first member that can give
// one, and every member's status and health.
import type { Client } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import type { EtcdClientFactory, EtcdEndpointStatus, EtcdMemberList } from '../etcd/etcd-client.js';
import { clientURLOfIP, memberNameOfPeerURL } from '../runbook/member-names.js';
import type {
  ClusterObservation,
  MemberPod,
  ObservedMember,
  ObservedMembership,
} from '../runbook/observation.js';
import type { PersistentVolumeClaim, Pod } from '../kube/kube-types.js';
import { PodType, PvcType } from '../kube/kube-types.js';
import { clusterSelectorString, MEMBER_LABEL } from '../kube/labels.js';
import { versionOfImage } from '../kube/member-pod.js';

const PHASES = new Set(['Pending', 'Running', 'Succeeded', 'Failed']);

/** The runbook's view of a member Pod. */
export function toMemberPod(pod: Pod): MemberPod {
  const etcd = pod.status?.containerStatuses?.find((c) => c.name === 'etcd');
  const phase = pod.status?.phase ?? 'Unknown';
  return {
    name: pod.metadata.name ?? '',
    phase: PHASES.has(phase) ? (phase as MemberPod['phase']) : 'Unknown',
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    ...(pod.status?.podIP ? { podIP: pod.status.podIP } : {}),
    ...(versionOfImage(pod.spec.containers[0]?.image)
      ? { imageVersion: versionOfImage(pod.spec.containers[0]?.image) }
      : {}),
    restartCount: etcd?.restartCount ?? 0,
    createdAt: pod.metadata.creationTimestamp ?? '',
    terminating: pod.metadata.deletionTimestamp !== undefined,
  };
}

async function memberList(
  pods: readonly MemberPod[],
  etcd: EtcdClientFactory,
  signal: AbortSignal | undefined,
): Promise<{ list?: EtcdMemberList; endpoint?: string; error?: string }> {
  let error = pods.length === 0 ? 'no member Pod has an IP yet' : undefined;
  for (const pod of pods) {
    const endpoint = clientURLOfIP(pod.podIP ?? '');
    try {
      return {
        list: await etcd(endpoint).memberList({ linearizable: true, ...(signal ? { signal } : {}) }),
        endpoint,
      };
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
  }
  return error === undefined ? {} : { error };
}

/** Observes one cluster: Kubernetes objects, then etcd through each member's own endpoint. */
export async function observeCluster(
  client: Client,
  cluster: EtcdCluster,
  etcd: EtcdClientFactory,
  signal?: AbortSignal,
): Promise<ClusterObservation> {
  const namespace = cluster.metadata.namespace ?? 'default';
  const name = cluster.metadata.name ?? '';
  const selector = { namespace, labelSelector: clusterSelectorString(name) };
  const [podList, pvcList] = await Promise.all([
    client.resource<Pod>(PodType).listAll(selector),
    client.resource<PersistentVolumeClaim>(PvcType).listAll(selector),
  ]);
  const pods = new Map(podList.items.map((p) => [p.metadata.name ?? '', toMemberPod(p)]));
  const pvcs = new Set(
    pvcList.items
      .filter((p) => p.metadata.labels?.[MEMBER_LABEL] !== undefined)
      .map((p) => p.metadata.name ?? ''),
  );
  const reachable = [...pods.values()]
    .filter((p) => p.podIP !== undefined && p.phase === 'Running' && !p.terminating)
    .sort((a, b) => Number(b.ready) - Number(a.ready) || a.name.localeCompare(b.name));
  const { list, endpoint, error } = await memberList(reachable, etcd, signal);
  const base: ClusterObservation = {
    name,
    namespace,
    generation: cluster.metadata.generation ?? 0,
    spec: cluster.spec,
    previousStatus: cluster.status ?? {},
    pods,
    pvcs,
  };
  if (list === undefined || endpoint === undefined)
    return { ...base, ...(error ? { membershipError: error } : {}) };
  return { ...base, membership: await describeMembers(list, endpoint, base, etcd, signal) };
}

async function describeMembers(
  list: EtcdMemberList,
  listEndpoint: string,
  obs: ClusterObservation,
  etcd: EtcdClientFactory,
  signal: AbortSignal | undefined,
): Promise<ObservedMembership> {
  const opts = signal ? { signal } : {};
  const members = await Promise.all(
    list.members.map(async (m): Promise<ObservedMember> => {
      const memberName = memberNameOfPeerURL(obs.name, obs.namespace, m.peerURLs[0] ?? '') ?? m.name;
      const pod = obs.pods.get(memberName);
      if (pod?.podIP === undefined || pod.terminating) return { ...m, memberName, healthy: false };
      const client = etcd(clientURLOfIP(pod.podIP));
      const [status, healthy] = await Promise.all([
        client.status(opts).catch((): EtcdEndpointStatus | undefined => undefined),
        client.health(opts).catch(() => false),
      ]);
      return { ...m, memberName, healthy: healthy && status !== undefined, ...(status ? { status } : {}) };
    }),
  );
  const alarms = await etcd(listEndpoint)
    .alarms(opts)
    .catch(() => []);
  const leaders = members
    .map((m) => m.status?.leaderId)
    .filter((id): id is string => id !== undefined && id !== '0');
  const leaderId = leaders.find((id) => members.some((m) => m.id === id));
  return { clusterId: list.clusterId, members, alarms, ...(leaderId ? { leaderId } : {}) };
}
