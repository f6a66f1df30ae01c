// The one step a reconcile pass takes, as a closed union: the runbook's
// operations plan steps (pure), describeStep says each in one line, and
// ../controller/step-executors.ts carries each out; both are exhaustive over
// StepKind, so a kind added here does not compile until it has a
// description and an executor. One membership change per pass, then observe
// again.
import type { HighestRaftIndex } from './quarantine.js';
import { describeWriteLoss } from './quarantine.js';
import type { BackupSnapshot, RestoreFrom } from './restore.js';
import { describeLocation, describeRestore } from './restore.js';
import type { RetainedWhy } from './retention.js';
import type { SpaceStep } from './space.js';
import { describeSpaceStep } from './space.js';

/**
 * How a member is upgraded (upgrade.ts): its image patched in place, or, when
 * its Pod is on an outdated template, recreated from the current one (rollout.ts).
 */
export type UpgradeHow = 'PatchImage' | 'RecreatePod' | 'ReplaceMember';

/** Why a member is being removed. */
export type RemovalReason = 'ScaleDown' | 'Replace';

/** A single step of the runbook. */
export type Step =
  /** Create the Services and the first member with a new cluster token (restored from a snapshot when asked). */
  | { kind: 'CreateSeed'; member: string; restore?: RestoreFrom }
  /** Create the PVC (if missing) and Pod of a member etcd already knows, on its existing data when there is some. */
  | { kind: 'StartMember'; member: string; memberId?: string; why: 'NeverStarted' | 'PodLost' }
  /** Add a new member to etcd as a learner, then create its PVC and Pod. */
  | { kind: 'AddLearner'; member: string }
  /** Promote a learner that has caught up with the leader. */
  | { kind: 'PromoteLearner'; member: string; memberId: string }
  /** Move raft leadership away from a member before it is removed or restarted. */
  | {
      kind: 'MoveLeader';
      fromId: string;
      toId: string;
      toMember: string;
      why: 'ScaleDown' | 'Upgrade' | 'Rollout';
    }
  /**
   * Remove a member from etcd, then delete its Pod, then delete its PVC,
   * relabel it as retained (`volume: Retain`, a scale-down under whenScaled
   * Retain), or quarantine it (`volume: Quarantine`, a replaced member that may
   * only be cut off: quarantine.ts, labelled with `quarantineId`).
   */
  | {
      kind: 'RemoveMember';
      member: string;
      memberId: string;
      reason: RemovalReason;
      detail: string;
      volume: 'Delete' | 'Retain' | 'Quarantine';
      /** Label value of the quarantined PVC (`volume: Quarantine`). */
      quarantineId?: string;
    }
  /** Delete a Pod and/or PVC that belongs to no etcd member (left by an interrupted step). */
  | { kind: 'DeleteOrphan'; member: string; pod: boolean; pvc: boolean }
  /** Relabel as retained a PVC of ours that belongs to no etcd member (whenScaled Retain, retention.ts). */
  | { kind: 'RetainVolume'; member: string; why: RetainedWhy }
  /**
   * Quarantine the leftover PVC of a member whose removal was to quarantine
   * it but stopped after the member left etcd (orphans.ts).
   */
  | { kind: 'QuarantineVolume'; member: string; quarantineId: string }
  /** Restart one member on its own data at a new version (or recreate it: {@link UpgradeHow}). */
  | { kind: 'UpgradeMember'; member: string; memberId: string; from: string; to: string; how: UpgradeHow }
  /**
   * Template rollout (rollout.ts): recreate one member from the current Pod
   * template, its Pod deleted and started again on its PVC (`RecreatePod`), or
   * on ephemeral storage the member removed with its Pod for scale-up to add a
   * fresh one (`ReplaceMember`). `updated` of `total` members are on the
   * current template before this step.
   */
  | {
      kind: 'RollMember';
      member: string;
      memberId: string;
      how: 'RecreatePod' | 'ReplaceMember';
      updated: number;
      total: number;
    }
  /**
   * Disaster recovery: record the survivor and what may be lost, quarantine the other members' PVCs
   * (quarantine.ts: kept, never reused), delete their Pods that are not terminating, and the survivor's Pod.
   */
  | ({
      kind: 'StartRecovery';
      survivor: string;
      memberId: string;
      raftIndex: string;
      /** Label value of the quarantined PVCs (quarantine.ts `recoveryId`). */
      recoveryId: string;
      /** Every PVC this recovery quarantines (repeating it for one already quarantined is a no-op). */
      quarantine: string[];
      /** Pods of the other members to delete (terminating ones are not waited for). */
      deletePods: string[];
    } & HighestRaftIndex)
  /** Disaster recovery: start the survivor on its data with --force-new-cluster. */
  | { kind: 'ForceNewCluster'; member: string }
  /** Disaster recovery: the survivor answers alone; restart it without the flag (or just finish). */
  | { kind: 'FinishRecovery'; member: string; restart: boolean }
  /**
   * Disaster recovery, no member survives: record the snapshot and the new seed, delete the remaining
   * members' Pods and quarantine their PVCs (the seed is then created restored from the snapshot, as
   * CreateSeed).
   */
  | {
      kind: 'StartBackupRecovery';
      restore: Omit<BackupSnapshot, 'takenAt'>;
      seed: string;
      recoveryId: string;
      deletePods: string[];
      quarantine: string[];
    }
  /** Recovery from a NOSPACE alarm (space.ts). */
  | SpaceStep
  /**
   * Nothing safe to do yet; look again later. `degraded`: the operator cannot go on by itself (the
   * Degraded condition takes this reason, and a Warning Event announces it once).
   */
  | { kind: 'Wait'; reason: string; message: string; degraded?: boolean }
  /** The cluster matches the spec. */
  | { kind: 'Converged' };

/** Kinds of {@link Step}. */
export type StepKind = Step['kind'];

/** The step of kind `K`. */
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;

/** True for steps that change etcd membership or member Pods. */
export function isMutating(step: Step): boolean {
  return step.kind !== 'Wait' && step.kind !== 'Converged';
}

/**
 * True for steps that destroy something: remove a member from etcd, delete a
 * member's Pod or PVC, or rewrite the membership (--force-new-cluster). Their
 * intent is recorded in status only if nobody wrote the EtcdCluster since it
 * was read (a resourceVersion precondition), and their deletes carry the UID
 * of the Pod or PVC observed, so two operators in overlapping leases never
 * both act on different choices, and an object recreated since the
 * observation is never deleted.
 */
export function isDestructive(step: Step): boolean {
  switch (step.kind) {
    case 'RemoveMember':
    case 'DeleteOrphan':
    case 'StartRecovery':
    case 'StartBackupRecovery':
    case 'ForceNewCluster':
    case 'RollMember':
      return true;
    case 'UpgradeMember':
      return step.how !== 'PatchImage';
    case 'FinishRecovery':
      return step.restart;
    default:
      return false;
  }
}

function describePods(pods: readonly string[]): string {
  return pods.length > 0 ? `, deleting the Pods of ${pods.join(', ')}` : '';
}

const MOVE_LEADER_BEFORE = { ScaleDown: 'removing', Upgrade: 'upgrading', Rollout: 'recreating' } as const;

const UPGRADE_HOW: Record<UpgradeHow, string> = {
  PatchImage: '',
  RecreatePod: ', recreating its Pod from the current template on its data',
  ReplaceMember:
    ', replacing it by a fresh member from the current template (its data is on ephemeral storage)',
};

/** One line describing a step, for events, logs and condition messages. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'CreateSeed':
      return `creating seed member ${step.member}${step.restore ? `, ${describeRestore(step.restore)}` : ''}`;
    case 'StartMember':
      return step.why === 'PodLost'
        ? `recreating the Pod of member ${step.member} on its existing data`
        : `starting member ${step.member}`;
    case 'AddLearner':
      return `adding member ${step.member} as a learner`;
    case 'PromoteLearner':
      return `promoting learner ${step.member} (${step.memberId}) to voter`;
    case 'MoveLeader':
      return `moving leadership from ${step.fromId} to ${step.toMember} (${step.toId}) before ${MOVE_LEADER_BEFORE[step.why]} it`;
    case 'RemoveMember':
      return `removing member ${step.member} (${step.memberId}): ${step.detail}${step.volume === 'Retain' ? '; its PVC is retained' : step.volume === 'Quarantine' ? `; its PVC ${step.member} is quarantined (kept, never reused: it may hold writes), not deleted` : ''}`;
    case 'RetainVolume':
      return `keeping the PVC ${step.member} (no such etcd member) as a retained volume: spec.persistentVolumeClaimRetentionPolicy.whenScaled is Retain`;
    case 'QuarantineVolume':
      return `quarantining the PVC ${step.member} (no such etcd member): its member was removed to be replaced and its removal stopped before the PVC was set aside; it is kept, never reused: it may hold writes`;
    case 'DeleteOrphan':
      return `deleting leftover ${[step.pod ? 'Pod' : '', step.pvc ? 'PVC' : ''].filter(Boolean).join(' and ')} ${step.member} (no such etcd member)`;
    case 'UpgradeMember':
      return `upgrading member ${step.member} from ${step.from} to ${step.to}${UPGRADE_HOW[step.how]}`;
    case 'RollMember':
      return `rolling out the member template: ${step.updated} of ${step.total} updated; ${
        step.how === 'RecreatePod'
          ? `recreating the Pod of ${step.member} on its data`
          : `replacing ${step.member} (${step.memberId}) by a fresh member (its data is on ephemeral storage)`
      }`;
    case 'StartRecovery':
      return `quorum lost: recovering from ${step.survivor} (${step.memberId}, raft index ${step.raftIndex})${describePods(step.deletePods)}; ${describeWriteLoss(step)}`;
    case 'StartBackupRecovery':
      return `quorum lost and no member's data survives: restoring from snapshot ${step.restore.path}${describeLocation(step.restore)} of EtcdBackup ${step.restore.backupName} (revision ${step.restore.revision}) into new member ${step.seed}${describePods(step.deletePods)}${step.quarantine.length > 0 ? `, quarantining PVCs ${step.quarantine.join(', ')}` : ''}; data written after revision ${step.restore.revision} is lost`;
    case 'ForceNewCluster':
      return `starting ${step.member} with --force-new-cluster`;
    case 'FinishRecovery':
      return step.restart
        ? `${step.member} serves as a one-member cluster; restarting it without --force-new-cluster`
        : `recovery from ${step.member} finished; the cluster grows back with learners`;
    case 'CompactForSpace':
    case 'DefragmentMember':
    case 'DisarmNoSpace':
    case 'FinishSpaceRecovery':
      return describeSpaceStep(step);
    case 'Wait':
      return step.message;
    case 'Converged':
      return 'cluster matches the spec';
  }
}
