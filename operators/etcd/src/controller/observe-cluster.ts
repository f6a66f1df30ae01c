// Reads the world for one reconcile pass: the cluster's Pods and PVCs from
// the API server (live, not from a cache: the runbook's safety checks must
// not act on a stale view), then etcd through one client per member
// endpoint: a linearizable member list from the first member that can give
// one, and every member's status and health; an answer with another
// cluster's ID is set aside and reported (../runbook/cluster-identity.ts),
// never used. A member is reached by its Pod's
// IP or its DNS name (see MemberAddressing); either way only once its Pod has
// an IP, since the headless Service publishes no name before that.
import type { Client } from '@switchboard/core';

import type { EtcdCluster, EtcdClusterStatus, EtcdMemberStatus } from '../api/types.js';
import type { EtcdClientFactory, EtcdEndpointStatus, EtcdMemberList } from '../etcd/etcd-client.js';
import { memberClientURL, memberNameOfPeerURL } from '../runbook/member-names.js';
import type { MemberAddressing } from '../runbook/member-names.js';
import type {
  ClusterObservation,
  MemberPod,
  ObservedMember,
  ObservedMembership,
  SurvivorCandidate,
} from '../runbook/observation.js';
import { parseVolumeFate } from '../runbook/observation.js';
import type { PersistentVolumeClaim, Pod } from '../kube/kube-types.js';
import { PodType, PvcType } from '../kube/kube-types.js';
import {
  clusterSelectorString,
  MEMBER_LABEL,
  MEMBER_TEMPLATE_ANNOTATION,
  QUARANTINE_LABEL,
  REMOVAL_FATE_ANNOTATION,
  RETAINED_LABEL,
} from '../kube/labels.js';
import { originOf } from '../kube/owner.js';
import type { ForeignAnswer } from '../runbook/cluster-identity.js';
import { trustsAnswer } from '../runbook/cluster-identity.js';
import { isOurs } from '../runbook/retention.js';
import { FORCE_NEW_CLUSTER_FLAG, memberTemplateHash, versionOfImage } from '../kube/member-pod.js';
import { RECOVER_ANNOTATION } from '../runbook/recover.js';
import { clientScheme } from '../tls/cluster-tls.js';
import { observeNodeProblems } from './observe-nodes.js';
import { observeRecoveryBackups, observeRestoreSource } from './observe-restore.js';

const PHASES = new Set(['Pending', 'Running', 'Succeeded', 'Failed']);

/** The last failure of an init container of `pod` (current or previous run), described for status. */
export function initContainerFailure(pod: Pod): string | undefined {
  for (const c of pod.status?.initContainerStatuses ?? []) {
    const failed = [c.state?.terminated, c.lastState?.terminated].find(
      (t) => t !== undefined && t.exitCode !== 0,
    );
    if (failed === undefined) continue;
    // The tail of the message (the log's end with FallbackToLogsOnError), on one line.
    const said = (failed.message ?? '').trim().split('\n').slice(-3).join(' | ').slice(-400);
    const restarts =
      c.restartCount > 0 ? ` after ${c.restartCount} restart${c.restartCount === 1 ? '' : 's'}` : '';
    return `init container ${c.name} exited ${failed.exitCode}${restarts}${said ? `: ${said}` : ''}`;
  }
  return undefined;
}

/** The runbook's view of a member Pod. */
export function toMemberPod(pod: Pod): MemberPod {
  const initFailure = initContainerFailure(pod);
  const etcd = pod.status?.containerStatuses?.find((c) => c.name === 'etcd');
  const phase = pod.status?.phase ?? 'Unknown';
  const templateHash = pod.metadata.annotations?.[MEMBER_TEMPLATE_ANNOTATION];
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
    ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}),
    ...(pod.spec.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(pod.spec.containers[0]?.args?.includes(FORCE_NEW_CLUSTER_FLAG) ? { forceNewCluster: true } : {}),
    ...(templateHash ? { templateHash } : {}),
    ...(initFailure ? { initFailure } : {}),
  };
}

/**
 * Sorts the Pods and PVCs labelled with the cluster's name (../runbook/retention.ts):
 * ours (PVCs not retained, not being deleted: no member can restart on a PVC
 * being deleted), our retained PVCs' names, and the names of foreign ones.
 */
export function sortByOrigin(
  podList: readonly Pod[],
  pvcList: readonly PersistentVolumeClaim[],
  clusterUid: string,
): {
  ours: { pods: Pod[]; pvcs: PersistentVolumeClaim[] };
  retained: Set<string>;
  quarantined: Set<string>;
  foreign: Set<string>;
} {
  const foreign = new Set<string>();
  const retained = new Set<string>();
  // Set aside by a disaster recovery (../runbook/quarantine.ts): listed apart, never a member's.
  const quarantined = new Set<string>();
  const mine = <T extends Pod | PersistentVolumeClaim>(o: T): boolean => {
    if (isOurs(originOf(o.metadata), clusterUid)) return true;
    foreign.add(o.metadata.name ?? '');
    return false;
  };
  const pods = podList.filter(mine);
  const pvcs = pvcList.filter(
    (p) => p.metadata.labels?.[MEMBER_LABEL] !== undefined && mine(p) && !p.metadata.deletionTimestamp,
  );
  for (const p of pvcs) {
    if (p.metadata.labels?.[QUARANTINE_LABEL] !== undefined) quarantined.add(p.metadata.name ?? '');
    else if (p.metadata.labels?.[RETAINED_LABEL] !== undefined) retained.add(p.metadata.name ?? '');
  }
  const setAside = (p: PersistentVolumeClaim) =>
    retained.has(p.metadata.name ?? '') || quarantined.has(p.metadata.name ?? '');
  return {
    ours: { pods, pvcs: pvcs.filter((p) => !setAside(p)) },
    retained,
    quarantined,
    foreign,
  };
}

/** The first linearizable member list of this cluster (../runbook/cluster-identity.ts); foreign ones go to `foreign`. */
async function memberList(
  pods: readonly MemberPod[],
  endpointOf: (pod: MemberPod) => string,
  etcd: EtcdClientFactory,
  status: EtcdClusterStatus,
  foreign: ForeignAnswer[],
  signal: AbortSignal | undefined,
): Promise<{ list?: EtcdMemberList; endpoint?: string; error?: string }> {
  // Every member's reason, not only the last one asked: a learner, which can
  // never answer a member list, would otherwise hide why the voters did not.
  const errors: string[] = pods.length === 0 ? ['no member Pod has an IP yet'] : [];
  for (const pod of pods) {
    const endpoint = endpointOf(pod);
    try {
      const list = await etcd(endpoint).memberList({ linearizable: true, ...(signal ? { signal } : {}) });
      if (trustsAnswer(status, pod.name, list.clusterId)) return { list, endpoint };
      // During a recovery from a backup an old member is untrusted without being foreign.
      if (list.clusterId !== status.clusterID) foreign.push({ member: pod.name, clusterId: list.clusterId });
      errors.push(
        `${pod.name} answered with cluster ID ${list.clusterId}, not trusted (status.clusterID ${status.clusterID ?? 'unset'})`,
      );
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  return errors.length === 0 ? {} : { error: errors.join('; ') };
}

/**
 * The Pods to ask for the member list, those the last status recorded as
 * learners last: a learner refuses the call ("rpc not supported for
 * learner"), and while a voter is slow to answer, asking it first only costs
 * the pass a timeout. Learners are still asked when no voter answers: the
 * status may be older than a promotion.
 */
function votersFirst(pods: readonly MemberPod[], members: readonly EtcdMemberStatus[]): MemberPod[] {
  const learners = new Set(members.filter((m) => m.learner).map((m) => m.name));
  return [...pods.filter((p) => !learners.has(p.name)), ...pods.filter((p) => learners.has(p.name))];
}

/** Pods outside the member list whose etcd answers with another cluster's ID: not leftovers of ours. */
async function strayAnswers(
  pods: readonly MemberPod[],
  membership: ObservedMembership,
  endpointOf: (pod: MemberPod) => string,
  etcd: EtcdClientFactory,
  signal: AbortSignal | undefined,
): Promise<ForeignAnswer[]> {
  const members = new Set(membership.members.map((m) => m.memberName));
  const strays = pods.filter((p) => !members.has(p.name));
  const answers = await Promise.all(
    strays.map(async (pod) => {
      const status = await etcd(endpointOf(pod))
        .status(signal ? { signal } : {})
        .catch(() => undefined);
      return status !== undefined && status.clusterId !== membership.clusterId
        ? [{ member: pod.name, clusterId: status.clusterId }]
        : [];
    }),
  );
  return answers.flat();
}

/** Observes one cluster: Kubernetes objects, then etcd through each member's own endpoint. */
export async function observeCluster(
  client: Client,
  cluster: EtcdCluster,
  etcd: EtcdClientFactory,
  signal?: AbortSignal,
  addressing: MemberAddressing = 'pod-ip',
): Promise<ClusterObservation> {
  const namespace = cluster.metadata.namespace ?? 'default';
  const name = cluster.metadata.name ?? '';
  const endpointOf = (pod: MemberPod): string =>
    memberClientURL(addressing, name, namespace, pod.name, pod.podIP ?? '', clientScheme(cluster.spec));
  const selector = { namespace, labelSelector: clusterSelectorString(name), ...(signal ? { signal } : {}) };
  const [podList, pvcList] = await Promise.all([
    client.resource<Pod>(PodType).listAll(selector),
    client.resource<PersistentVolumeClaim>(PvcType).listAll(selector),
  ]);
  const { ours, retained, quarantined, foreign } = sortByOrigin(
    podList.items,
    pvcList.items,
    cluster.metadata.uid ?? '',
  );
  const pods = new Map(ours.pods.map((p) => [p.metadata.name ?? '', toMemberPod(p)]));
  const pvcs = new Set(ours.pvcs.map((p) => p.metadata.name ?? ''));
  const pvcUids = new Map(ours.pvcs.map((p) => [p.metadata.name ?? '', p.metadata.uid ?? '']));
  const pvcFates = new Map(
    ours.pvcs.flatMap((p) => {
      const fate = parseVolumeFate(p.metadata.annotations?.[REMOVAL_FATE_ANNOTATION]);
      return fate ? [[p.metadata.name ?? '', fate] as const] : [];
    }),
  );
  const reachable = [...pods.values()]
    .filter((p) => p.podIP !== undefined && p.phase === 'Running' && !p.terminating)
    .sort((a, b) => Number(b.ready) - Number(a.ready) || a.name.localeCompare(b.name));
  const foreignAnswers: ForeignAnswer[] = [];
  const { list, endpoint, error } = await memberList(
    votersFirst(reachable, cluster.status?.members ?? []),
    endpointOf,
    etcd,
    cluster.status ?? {},
    foreignAnswers,
    signal,
  );
  const base: ClusterObservation = {
    name,
    namespace,
    generation: cluster.metadata.generation ?? 0,
    spec: cluster.spec,
    previousStatus: cluster.status ?? {},
    pods,
    pvcs,
    pvcUids,
    ...(pvcFates.size > 0 ? { pvcFates } : {}),
    ...(quarantined.size > 0 ? { quarantinedPvcs: quarantined } : {}),
    ...(retained.size > 0 ? { retainedPvcs: retained } : {}),
    ...(foreign.size > 0 ? { foreign } : {}),
    observedAt: Date.now(),
    ...(cluster.metadata.uid ? { uid: cluster.metadata.uid } : {}),
    memberTemplateHash: memberTemplateHash(cluster),
  };
  const restore = cluster.spec.bootstrap?.restore;
  if (restore !== undefined && !cluster.status?.clusterID && list === undefined)
    base.restoreSource = await observeRestoreSource(client, namespace, restore, signal);
  const recoverAnnotation = cluster.metadata.annotations?.[RECOVER_ANNOTATION] !== undefined;
  if (recoverAnnotation) base.recoverAnnotation = true;
  const recovery =
    cluster.spec.recovery === 'auto' || recoverAnnotation || cluster.status?.recovery !== undefined;
  if (list === undefined && cluster.status?.clusterID && recovery) {
    base.survivors = await survivorCandidates(reachable, endpointOf, etcd, signal);
    // Backups matter only when no member answers as part of this cluster and nothing is on record yet.
    const clusterID = cluster.status.clusterID;
    if (cluster.status.recovery === undefined && !base.survivors.some((s) => s.clusterId === clusterID))
      base.recoveryBackups = await observeRecoveryBackups(client, cluster, signal);
  }
  if (list === undefined || endpoint === undefined)
    return withForeign({ ...base, ...(error ? { membershipError: error } : {}) }, foreignAnswers);
  const membership = await describeMembers(list, endpoint, base, endpointOf, etcd, foreignAnswers, signal);
  foreignAnswers.push(...(await strayAnswers(reachable, membership, endpointOf, etcd, signal)));
  const withNodes = await withNodeProblems(client, base, membership, ours, signal);
  return withForeign({ ...withNodes, membership }, foreignAnswers);
}

/**
 * The observation with `nodeProblem` set on the Pods of suspect members (not
 * Ready, Terminating, or unhealthy to etcd) whose node looks lost (./observe-nodes.ts).
 */
async function withNodeProblems(
  client: Client,
  obs: ClusterObservation,
  membership: ObservedMembership,
  ours: { pods: Pod[]; pvcs: PersistentVolumeClaim[] },
  signal: AbortSignal | undefined,
): Promise<ClusterObservation> {
  const unhealthy = new Set(membership.members.filter((m) => !m.healthy).map((m) => m.memberName));
  const suspects = ours.pods.filter((p) => {
    const pod = obs.pods.get(p.metadata.name ?? '');
    return pod !== undefined && (!pod.ready || pod.terminating || unhealthy.has(pod.name));
  });
  if (suspects.length === 0) return obs;
  const problems = await observeNodeProblems(client, suspects, ours.pvcs, signal);
  if (problems.size === 0) return obs;
  const pods = new Map(
    [...obs.pods].map(([name, pod]) => {
      const nodeProblem = problems.get(name);
      return [name, nodeProblem !== undefined ? { ...pod, nodeProblem } : pod];
    }),
  );
  return { ...obs, pods };
}

function withForeign(obs: ClusterObservation, answers: readonly ForeignAnswer[]): ClusterObservation {
  const byMember = new Map(answers.map((a) => [a.member, a]));
  return byMember.size === 0 ? obs : { ...obs, foreignAnswers: [...byMember.values()] };
}

/** Members that answer their own status (served locally, no quorum needed), for disaster recovery. */
async function survivorCandidates(
  pods: readonly MemberPod[],
  endpointOf: (pod: MemberPod) => string,
  etcd: EtcdClientFactory,
  signal: AbortSignal | undefined,
): Promise<SurvivorCandidate[]> {
  const answers = await Promise.all(
    pods.map(async (pod): Promise<SurvivorCandidate | undefined> => {
      const status = await etcd(endpointOf(pod))
        .status(signal ? { signal } : {})
        .catch(() => undefined);
      return status === undefined
        ? undefined
        : {
            memberName: pod.name,
            memberId: status.memberId,
            raftIndex: status.raftIndex,
            raftAppliedIndex: status.raftAppliedIndex,
            clusterId: status.clusterId,
            ...(status.isLearner ? { learner: true } : {}),
          };
    }),
  );
  return answers.filter((a): a is SurvivorCandidate => a !== undefined);
}

async function describeMembers(
  list: EtcdMemberList,
  listEndpoint: string,
  obs: ClusterObservation,
  endpointOf: (pod: MemberPod) => string,
  etcd: EtcdClientFactory,
  foreign: ForeignAnswer[],
  signal: AbortSignal | undefined,
): Promise<ObservedMembership> {
  const opts = signal ? { signal } : {};
  const members = await Promise.all(
    list.members.map(async (m): Promise<ObservedMember> => {
      const memberName = memberNameOfPeerURL(obs.name, obs.namespace, m.peerURLs[0] ?? '') ?? m.name;
      const pod = obs.pods.get(memberName);
      if (pod?.podIP === undefined || pod.terminating) return { ...m, memberName, healthy: false };
      const client = etcd(endpointOf(pod));
      const [status, healthy] = await Promise.all([
        client.status(opts).catch((): EtcdEndpointStatus | undefined => undefined),
        client.health(opts).catch(() => false),
      ]);
      // A member whose endpoint speaks for another cluster (a reused Pod IP) is not this member.
      if (status !== undefined && status.clusterId !== list.clusterId) {
        foreign.push({ member: memberName, clusterId: status.clusterId });
        return { ...m, memberName, healthy: false };
      }
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
