// Disaster recovery: a cluster that lost quorum for good is rebuilt from the
// surviving member with the most data, as a one-member cluster
// (`etcd --force-new-cluster`), then grown back with learners.
//
// Preconditions
// - Opted in: `spec.recovery: auto`, or `manual` (the default) with the
//   annotation etcd.switchboard.dev/recover on the EtcdCluster.
// - The cluster was created (a clusterID is recorded), storage is persistent
//   (the survivor's Pod is recreated on its PVC), and it is not paused.
// - No member can give a quorum-confirmed member list, and that has been so
//   for at least `spec.recoveryDelaySeconds` (default 60, since
//   status.quorumLostSince): within the bound the runbook only restarts lost
//   Pods on their data (restart-member.ts), which is how quorum comes back by
//   itself after Pod deletions or a node restart. Recovery never runs while
//   quorum might still come back. The bound counts only time this operator
//   watched: a loss recorded before it started reconciling (a restart, a new
//   leader) counts from that start, since quorum may have come back and been
//   lost again while nobody looked.
// - The kubelets do not contradict the loss: fewer than a quorum of the
//   voters' Pods (status.members) report Ready=True. Their /readyz probe runs
//   on each member's own node and passes only for a member that has a leader,
//   so a Ready majority means quorum is there and the operator is the one cut
//   off (its network, DNS, certificates): it waits (reason
//   QuorumUnreachableFromOperator, Degraded) and the wait bound does not
//   start. A Pod on a node whose kubelet stopped keeps its last Ready=True
//   until the node lifecycle controller marks the node NotReady and sets its
//   Pods' Ready to False (--node-monitor-grace-period, 40 s by default): that
//   delays a recovery by at most that long, and Node objects need not be read.
// - At least one member answers its own (serializable) status with the
//   cluster's ID and still has its PVC. When none does, the cluster is
//   restored from its newest backup instead, if no member's data survives
//   (recover-from-backup.ts says exactly when).
//
// Safety rules
// - The survivor is the answering member with the highest raft index (then
//   applied index, then name): it holds the most of what was committed.
// - The choice is written to status (status.recovery) before anything is
//   changed, and every later pass follows that record, never a new choice.
// - The record also states what may be lost: the survivor's raft index and
//   the highest one last seen on any member (status.members[].raftIndex), in
//   the Warning Event too.
// - The other members' PVCs are quarantined, never deleted (quarantine.ts):
//   they may hold writes the survivor lacks. Their Pods are deleted (a Pod
//   holds no data); one on a node that does not answer stays Terminating and
//   is not waited for. The members rejoin empty, as learners with new names.
//   Caveat: a member process still running on such a node (a partition, not
//   a dead node) keeps the old membership until its kubelet stops it.
// - The survivor is restarted once with --force-new-cluster and, as soon as
//   it answers as a one-member cluster, once more without it: a later restart
//   with the flag would throw away members that joined since.
import type { EtcdClusterSpec, EtcdMemberRecoveryStatus, EtcdRecoveryStatus } from '../api/types.js';
import { DEFAULT_RECOVERY_DELAY_SECONDS } from '../api/types.js';
import type { ClusterObservation, SurvivorCandidate } from './observation.js';
import { isPersistent } from './observation.js';
import { backupRecoveryRecord, continueBackupRecovery, planBackupRecovery } from './recover-from-backup.js';
import { highestOf, highestRaftIndexSeen, recoveryId } from './quarantine.js';
import { quorum } from './quorum.js';
import type { Step } from './step.js';

/** Wait reason while the kubelets report a Ready majority that the operator cannot reach. */
export const QUORUM_UNREACHABLE_FROM_OPERATOR = 'QuorumUnreachableFromOperator';

/** Quorum must have been lost this long before recovery starts, unless `spec.recoveryDelaySeconds` says otherwise. */
export const QUORUM_LOSS_WAIT_MS = DEFAULT_RECOVERY_DELAY_SECONDS * 1000;

/** The wait bound of a cluster, in ms. */
export function recoveryDelayMs(spec: Pick<EtcdClusterSpec, 'recoveryDelaySeconds'>): number {
  return (spec.recoveryDelaySeconds ?? DEFAULT_RECOVERY_DELAY_SECONDS) * 1000;
}
/** Annotation that asks for recovery of a `recovery: manual` cluster (any value). */
export const RECOVER_ANNOTATION = 'etcd.switchboard.dev/recover';

/** The member to rebuild from: highest raft index, then applied index, then name. */
export function chooseSurvivor(candidates: readonly SurvivorCandidate[]): SurvivorCandidate | undefined {
  return [...candidates].sort(
    (a, b) =>
      (a.raftIndex === b.raftIndex ? 0 : a.raftIndex > b.raftIndex ? -1 : 1) ||
      (a.raftAppliedIndex === b.raftAppliedIndex ? 0 : a.raftAppliedIndex > b.raftAppliedIndex ? -1 : 1) ||
      a.memberName.localeCompare(b.memberName),
  )[0];
}

/** True when the cluster asks for recovery (auto, or manual with the annotation). */
export function recoveryRequested(obs: ClusterObservation): boolean {
  return obs.spec.recovery === 'auto' || obs.recoverAnnotation === true;
}

/**
 * True when the recover annotation is set while quorum is there and no
 * recovery is on record. The annotation asks to recover from the quorum loss
 * at hand; left behind (quorum came back within the wait bound, or the
 * operator stopped between clearing the record and removing it), it would
 * make a `manual` cluster recover by itself from some later loss. The
 * reconciler removes it.
 */
export function staleRecoverAnnotation(obs: ClusterObservation): boolean {
  return (
    obs.recoverAnnotation === true &&
    obs.membership !== undefined &&
    obs.previousStatus.recovery === undefined
  );
}

/**
 * Answering members that can be recovered from: voters (a learner may hold
 * only part of the log: forcing a cluster from it would lose acknowledged
 * writes) of the cluster's own ID, with their PVC still there.
 */
function usableSurvivors(obs: ClusterObservation): SurvivorCandidate[] {
  const clusterId = obs.previousStatus.clusterID;
  return (obs.survivors ?? []).filter(
    (s) =>
      s.learner !== true &&
      (s.clusterId === undefined || s.clusterId === clusterId) &&
      obs.pvcs.has(s.memberName),
  );
}

function continueRecovery(obs: ClusterObservation): Step | undefined {
  const record = obs.previousStatus.recovery;
  if (record === undefined) return undefined;
  if (record.source === 'Backup') return continueBackupRecovery(obs, record);
  return continueMemberRecovery(obs, record);
}

/** The step that quarantines the other members' PVCs and deletes their Pods (and the survivor's unforced Pod). */
function startRecovery(
  obs: ClusterObservation,
  record: Omit<EtcdMemberRecoveryStatus, 'phase'>,
): Extract<Step, { kind: 'StartRecovery' }> {
  const others = (names: Iterable<string>) => [...names].filter((n) => n !== record.survivor);
  const deletePods = others(obs.pods.keys()).filter((n) => obs.pods.get(n)?.terminating === false);
  return {
    kind: 'StartRecovery',
    survivor: record.survivor,
    memberId: record.memberId,
    raftIndex: record.raftIndex,
    ...highestOf(record),
    recoveryId: recoveryId(record.startedAt),
    quarantine: [...new Set([...(record.quarantinedPVCs ?? []), ...others(obs.pvcs)])].sort(),
    deletePods: deletePods.sort(),
  };
}

function continueMemberRecovery(obs: ClusterObservation, record: EtcdMemberRecoveryStatus): Step | undefined {
  const survivor = record.survivor;
  const pod = obs.pods.get(survivor);
  if (record.phase === 'Restarting') {
    // Forced already; the survivor restarts once more without the flag.
    if (pod?.forceNewCluster === true && !pod.terminating)
      return { kind: 'FinishRecovery', member: survivor, restart: true };
    if (obs.membership !== undefined && pod !== undefined && !pod.forceNewCluster)
      return { kind: 'FinishRecovery', member: survivor, restart: false };
    if (pod === undefined) return undefined; // restart-member.ts recreates it on its data
    return {
      kind: 'Wait',
      reason: 'SurvivorRestarting',
      message: `waiting for ${survivor} to restart without --force-new-cluster`,
    };
  }
  // Quorum is back: after the forced start, or by itself (then nothing more is forced).
  if (obs.membership !== undefined)
    return { kind: 'FinishRecovery', member: survivor, restart: pod?.forceNewCluster === true };
  const start = startRecovery(obs, record);
  // Left to do: a PVC not yet quarantined, a Pod not yet deleted, the survivor's unforced Pod.
  const pending =
    [...obs.pvcs].some((n) => n !== survivor) ||
    start.deletePods.length > 0 ||
    (pod !== undefined && !pod.forceNewCluster && !pod.terminating);
  if (pending) return start;
  if (pod === undefined) return { kind: 'ForceNewCluster', member: survivor };
  return {
    kind: 'Wait',
    reason: 'ForceNewClusterStarting',
    message: `waiting for ${survivor} to start as a one-member cluster`,
  };
}

/** Voters' Pods the kubelets report Ready, and how many voters there are (status.members, else spec.size). */
export function readyVoterPods(obs: ClusterObservation): { ready: string[]; voters: number } {
  const known = (obs.previousStatus.members ?? []).filter((m) => !m.learner).map((m) => m.name);
  const counted = (name: string) => known.length === 0 || known.includes(name);
  const ready = [...obs.pods.values()]
    .filter((p) => p.ready && !p.terminating && counted(p.name))
    .map((p) => p.name)
    .sort();
  return { ready, voters: known.length > 0 ? known.length : obs.spec.size };
}

/**
 * True when the operator reads no quorum but a quorum of the voters' Pods
 * is Ready per their own kubelets: the operator may be the one cut off.
 */
export function quorumReportedByKubelets(obs: ClusterObservation): boolean {
  if (obs.membership !== undefined || !obs.previousStatus.clusterID) return false;
  const { ready, voters } = readyVoterPods(obs);
  return ready.length >= quorum(voters);
}

function unreachableFromOperator(obs: ClusterObservation): Step {
  const { ready, voters } = readyVoterPods(obs);
  const detail = obs.membershipError ? ` (${obs.membershipError})` : '';
  return {
    kind: 'Wait',
    reason: QUORUM_UNREACHABLE_FROM_OPERATOR,
    degraded: true,
    message: `no member gave the operator a quorum-confirmed member list${detail}, but the kubelets report ${ready.join(', ')} Ready (${ready.length} of ${voters} voters): quorum is probably there and the operator is cut off from it (its network, DNS or client certificate). Nothing is recovered while a majority of the member Pods is Ready`,
  };
}

/**
 * Plans the next recovery step, a Wait within the bound, or undefined when
 * recovery does not apply. `newMemberName` names the seed of a recovery from
 * a backup.
 */
export function planRecovery(
  obs: ClusterObservation,
  now: Date,
  newMemberName: () => string,
  watchingSince?: Date,
): Step | undefined {
  // With a record, only the record is followed (undefined: the ordinary runbook restarts the survivor).
  if (obs.previousStatus.recovery !== undefined) return continueRecovery(obs);
  if (obs.membership !== undefined || !obs.previousStatus.clusterID) return undefined;
  if (quorumReportedByKubelets(obs)) return unreachableFromOperator(obs);
  if (!recoveryRequested(obs)) return undefined;
  // An unreadable record (the schema checks the format, so only by hand) starts the clock again.
  const recorded = Date.parse(obs.previousStatus.quorumLostSince ?? '');
  const lostAt = Number.isNaN(recorded) ? now.getTime() : recorded;
  const unwatched = watchingSince !== undefined && watchingSince.getTime() > lostAt;
  const waited = now.getTime() - (unwatched ? watchingSince.getTime() : lostAt);
  const bound = recoveryDelayMs(obs.spec);
  if (waited < bound) {
    const restarted = unwatched
      ? ` (counted from ${watchingSince.toISOString()}, when this operator started reconciling after the loss: quorum may have come back meanwhile)`
      : '';
    return {
      kind: 'Wait',
      reason: 'QuorumLost',
      message: `quorum lost; recovery starts after ${bound / 1000} s without quorum (spec.recoveryDelaySeconds) unless it comes back${restarted}`,
    };
  }
  // Rebuilding from a member needs its data to outlive its Pod (a PVC).
  const survivor = isPersistent(obs) ? chooseSurvivor(usableSurvivors(obs)) : undefined;
  if (survivor === undefined) return planBackupRecovery(obs, newMemberName, now);
  const highest = highestRaftIndexSeen(obs);
  return startRecovery(obs, {
    survivor: survivor.memberName,
    memberId: survivor.memberId,
    raftIndex: survivor.raftIndex.toString(),
    ...(highest !== undefined
      ? { highestRaftIndex: highest.index.toString(), highestRaftIndexMember: highest.member }
      : {}),
    startedAt: now.toISOString(),
  });
}

/** Status fields of recovery for this pass (null clears a field in the merge patch). */
export function recoveryStatus(
  obs: ClusterObservation,
  step: Step,
  now: Date,
): { quorumLostSince: string | null; recovery: EtcdRecoveryStatus | null; quarantinedPVCs: string[] | null } {
  const previous = obs.previousStatus;
  // A Ready majority of member Pods says quorum is there: the clock does not run.
  const lost =
    obs.membership === undefined &&
    previous.clusterID !== undefined &&
    previous.clusterID !== '' &&
    !quorumReportedByKubelets(obs);
  const since = previous.quorumLostSince;
  const readable = since !== undefined && !Number.isNaN(Date.parse(since));
  const quorumLostSince = lost ? (readable ? since : now.toISOString()) : null;
  let recovery = previous.recovery ?? null;
  if (step.kind === 'StartBackupRecovery' && recovery === null)
    recovery = backupRecoveryRecord(obs, step, now);
  if (step.kind === 'CreateSeed' && recovery?.source === 'Backup')
    recovery = { ...recovery, phase: 'Seeding' };
  if (step.kind === 'StartRecovery' && recovery === null) {
    recovery = {
      survivor: step.survivor,
      memberId: step.memberId,
      raftIndex: step.raftIndex,
      ...highestOf(step),
      quarantinedPVCs: step.quarantine,
      startedAt: now.toISOString(),
      phase: 'Forcing',
    };
  }
  if (step.kind === 'FinishRecovery' && recovery !== null)
    recovery = step.restart && recovery.source !== 'Backup' ? { ...recovery, phase: 'Restarting' } : null;
  const quarantined = [...(obs.quarantinedPvcs ?? [])].sort();
  return { quorumLostSince, recovery, quarantinedPVCs: quarantined.length > 0 ? quarantined : null };
}
