// Status, recomputed from scratch on every pass from the observation and the
// step about to be taken (so the intent is on record before the change is
// made). Conditions follow metav1.Condition semantics: one per type, and
// lastTransitionTime moves only when the status flips.
import type { Condition } from '@switchboard/core';
import { setStatusCondition } from '@switchboard/core';

import type { EtcdClusterPhase, EtcdClusterStatus, EtcdMemberStatus } from '../api/types.js';
import { ConditionType } from '../api/types.js';
import { describeForeignAnswers, FOREIGN_MEMBER_REASON } from './cluster-identity.js';
import { hasQuorum } from './quorum.js';
import type { ClusterObservation } from './observation.js';
import { voterCount } from './observation.js';
import type { Step } from './step.js';
import { describeStep } from './step.js';
import { spaceDegraded } from './space.js';
import { templateProgress } from './rollout.js';
import { currentVersion } from './upgrade.js';

/** Wait reasons that belong to an upgrade or a scaling in progress (the rest are recovery). */
const UPGRADE_WAITS = new Set(['MemberRestarting', 'UnsupportedUpgradePath', 'MembershipChanging']);
const SCALING_WAITS = new Set([
  'LearnerStarting',
  'PromotionWouldLoseQuorum',
  'ScaleDownWouldLoseQuorum',
  'NoLeaderTarget',
]);

/** Wait reasons of a member template rollout (rollout.ts). */
const ROLLOUT_WAITS = new Set(['RolloutWaitsForMembers', 'RolloutWaitsForMembership']);

function phaseOf(obs: ClusterObservation, step: Step, available: boolean): EtcdClusterPhase {
  if (obs.spec.paused) return 'Paused';
  switch (step.kind) {
    case 'CreateSeed':
      return obs.previousStatus.recovery ? 'Recovering' : 'Creating';
    case 'AddLearner':
    case 'PromoteLearner':
      return 'Scaling';
    case 'RemoveMember':
      return step.reason === 'ScaleDown' ? 'Scaling' : 'Recovering';
    case 'MoveLeader':
      return step.why === 'Upgrade' ? 'Upgrading' : step.why === 'Rollout' ? 'Updating' : 'Scaling';
    case 'UpgradeMember':
      return 'Upgrading';
    case 'RollMember':
      return 'Updating';
    case 'StartRecovery':
    case 'StartBackupRecovery':
    case 'ForceNewCluster':
    case 'FinishRecovery':
    case 'CompactForSpace':
    case 'DefragmentMember':
    case 'DisarmNoSpace':
    case 'FinishSpaceRecovery':
      return 'Recovering';
    case 'StartMember':
    case 'DeleteOrphan':
    case 'RetainVolume':
    case 'QuarantineVolume':
      return obs.previousStatus.clusterID ? 'Recovering' : 'Creating';
    case 'Wait':
      if (!obs.previousStatus.clusterID && obs.membership === undefined) return 'Creating';
      if (!available) return 'Unavailable';
      // A member recreated by the rollout is waited for as an upgraded one is (upgrade.ts):
      // the phase the step that restarted it set stays.
      if (step.reason === 'MemberRestarting' && obs.previousStatus.phase === 'Updating') return 'Updating';
      if (UPGRADE_WAITS.has(step.reason)) return 'Upgrading';
      if (SCALING_WAITS.has(step.reason)) return 'Scaling';
      if (ROLLOUT_WAITS.has(step.reason)) return 'Updating';
      return 'Recovering';
    case 'Converged':
      return 'Running';
  }
}

/** The higher of two decimal raft indexes (either may be absent). */
function higherIndex(a: string | undefined, b: bigint | undefined): string | undefined {
  if (b === undefined) return a;
  return a !== undefined && /^\d+$/.test(a) && BigInt(a) >= b ? a : b.toString();
}

/** When the member's current unhealthy spell began: kept from the last status, or now (replace-member.ts). */
function unhealthySince(
  before: EtcdMemberStatus | undefined,
  healthy: boolean,
  now: Date,
): string | undefined {
  if (healthy) return undefined;
  const since = before?.unhealthySince;
  return since !== undefined && !Number.isNaN(Date.parse(since)) ? since : now.toISOString();
}

/**
 * Members as seen now; each keeps the highest raft index seen on it while it
 * answered (quarantine.ts states a recovery's possible loss from it), and
 * when it was first seen unhealthy in its current spell.
 */
function memberStatuses(obs: ClusterObservation, now: Date): EtcdMemberStatus[] {
  const membership = obs.membership;
  const before = new Map((obs.previousStatus.members ?? []).map((m) => [m.name, m]));
  const withIndex = (m: EtcdMemberStatus, seen: bigint | undefined): EtcdMemberStatus => {
    const raftIndex = higherIndex(before.get(m.name)?.raftIndex, seen);
    return { ...m, ...(raftIndex !== undefined ? { raftIndex } : {}) };
  };
  if (membership === undefined) {
    const answers = new Map((obs.survivors ?? []).map((s) => [s.memberName, s.raftIndex]));
    // Without a quorum nobody's health is judged: an unhealthy spell starts again with one.
    return (obs.previousStatus.members ?? []).map(({ unhealthySince: _, ...m }) =>
      withIndex(m, answers.get(m.name)),
    );
  }
  return membership.members
    .map((m) => {
      const since = unhealthySince(before.get(m.memberName), m.healthy, now);
      return withIndex(
        {
          name: m.memberName,
          id: m.id,
          peerURL: m.peerURLs[0] ?? '',
          ...(m.status?.version ? { version: m.status.version } : {}),
          healthy: m.healthy,
          learner: m.isLearner,
          leader: m.id === membership.leaderId,
          ...(since !== undefined ? { unhealthySince: since } : {}),
        },
        m.status?.raftIndex,
      );
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The status to write for this pass, given the step about to be taken. */
export function computeStatus(
  obs: ClusterObservation,
  step: Step,
  now: Date = new Date(),
): EtcdClusterStatus {
  const previous = obs.previousStatus.conditions ?? [];
  const membership = obs.membership;
  const count = membership ? voterCount(membership) : { voters: 0, healthyVoters: 0 };
  const available = membership !== undefined && hasQuorum(count);
  const generation = obs.generation;
  const sick = membership?.members.filter((m) => !m.healthy).map((m) => m.memberName) ?? [];
  const progressing = step.kind !== 'Converged' && !obs.spec.paused;
  // A wait the operator cannot end by itself names itself in Degraded (recover-from-backup.ts).
  const blocked = step.kind === 'Wait' && step.degraded === true ? step : undefined;
  // Answers from another cluster are reported before the state they leave us in (cluster-identity.ts).
  const foreign = blocked ? undefined : describeForeignAnswers(obs);
  const space = available && sick.length === 0 && !foreign ? spaceDegraded(obs, step) : undefined;

  const inputs: Omit<Condition, 'lastTransitionTime'>[] = [
    {
      type: ConditionType.Available,
      status: available ? 'True' : 'False',
      observedGeneration: generation,
      reason: available ? 'QuorumHealthy' : membership === undefined ? 'NoQuorum' : 'QuorumLost',
      message: available
        ? `${count.healthyVoters} of ${count.voters} voters healthy`
        : (obs.membershipError ?? `${count.healthyVoters} of ${count.voters} voters healthy`),
    },
    {
      type: ConditionType.Progressing,
      status: progressing ? 'True' : 'False',
      observedGeneration: generation,
      reason: obs.spec.paused
        ? 'Paused'
        : step.kind === 'Wait'
          ? step.reason
          : step.kind === 'Converged'
            ? 'Reconciled'
            : step.kind,
      message: describeStep(step),
    },
    {
      type: ConditionType.Degraded,
      status: !available || sick.length > 0 || blocked ? 'True' : 'False',
      observedGeneration: generation,
      reason: blocked
        ? blocked.reason
        : !available
          ? 'QuorumUnavailable'
          : sick.length > 0
            ? 'MembersUnhealthy'
            : 'AllMembersHealthy',
      message: blocked
        ? blocked.message
        : sick.length > 0
          ? `unhealthy: ${sick.join(', ')}`
          : available
            ? ''
            : 'the cluster cannot serve requests',
    },
  ];
  if (foreign !== undefined)
    inputs[2] = {
      type: ConditionType.Degraded,
      status: 'True',
      observedGeneration: generation,
      reason: FOREIGN_MEMBER_REASON,
      message: foreign,
    };
  // Out of space (space.ts) is the Degraded verdict of an otherwise healthy cluster.
  if (space !== undefined)
    inputs[2] = { type: ConditionType.Degraded, status: 'True', observedGeneration: generation, ...space };
  const conditions = inputs.reduce<Condition[]>(
    (list, input) => setStatusCondition(list, input, now),
    [...previous],
  );

  const members = memberStatuses(obs, now);
  const current = membership ? currentVersion(membership.members) : obs.previousStatus.currentVersion;
  const clusterID = membership?.clusterId ?? obs.previousStatus.clusterID;
  const leaderID = membership?.leaderId;
  const template = templateProgress(obs);
  return {
    phase: phaseOf(obs, step, available),
    observedGeneration: generation,
    ...(clusterID ? { clusterID } : {}),
    ...(current ? { currentVersion: current } : {}),
    targetVersion: obs.spec.version,
    ...(leaderID ? { leaderID } : {}),
    members,
    readyMembers: count.healthyVoters,
    ...(template ? { updatedMembers: template.updated } : {}),
    conditions,
  };
}
