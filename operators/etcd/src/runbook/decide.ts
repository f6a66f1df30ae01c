// The runbook's order of operations: given one fresh observation, pick
// exactly one step. Earlier entries repair, later ones change shape:
//
//   1. paused            -> no mutating step (status still refreshes)
//      recovery on record -> follow it   (recover.ts, recover-from-backup.ts)
//   2. etcd unreachable  -> create the seed (new cluster only, restored
//                           from a backup when asked: restore.ts), or restart
//                           a member on its PVC, else disaster recovery when
//                           asked and past its bound: from the survivor
//                           (recover.ts) or, when no member survives, from
//                           the newest backup (recover-from-backup.ts); else wait
//   3. leftovers         -> delete Pods/PVCs of non-members   (orphans.ts),
//                           or retain their PVCs               (retention.ts)
//   4. lost Pods         -> restart members on their data      (restart-member.ts)
//      NOSPACE alarm     -> compact, defragment, disarm        (space.ts)
//   5. failed members    -> remove them for replacement        (replace-member.ts)
//   6. too many members  -> scale down, leader last            (scale-down.ts)
//   7. pending learner   -> promote it                         (promote-learner.ts)
//   8. too few members   -> add a learner                      (scale-up.ts)
//   9. old versions      -> upgrade one member, leader last    (upgrade.ts)
//      outdated Pods     -> recreate one member from the current
//                           template, leader last              (rollout.ts)
//      defragmentation due -> first member of a scheduled run  (space.ts)
//  10. otherwise         -> converged
import { planCreate } from './create.js';
import type { ClusterObservation } from './observation.js';
import { planDeleteOrphan } from './orphans.js';
import { planPromoteLearner } from './promote-learner.js';
import { planRecovery } from './recover.js';
import { planReplaceMember } from './replace-member.js';
import { freshMemberName } from './retention.js';
import { planRestartMember } from './restart-member.js';
import { planRollout } from './rollout.js';
import { planScaleDown } from './scale-down.js';
import { planScaleUp } from './scale-up.js';
import { planScheduledDefragmentation, planSpace } from './space.js';
import type { Step } from './step.js';
import { planUpgrade } from './upgrade.js';

/** What the runbook needs besides the observation. */
export interface DecideOptions {
  /** Name for a new member; must not repeat (default: random suffix). */
  newMemberName: () => string;
  /** The time of this pass (disaster recovery's wait bound). Default now. */
  now?: Date;
  /**
   * When this operator started reconciling (its first pass as leader):
   * disaster recovery's wait bound and a member's unhealthy window
   * (replace-member.ts) count no time before it. Default: all of
   * status.quorumLostSince and status.members[].unhealthySince count.
   */
  watchingSince?: Date;
}

function waitWithoutMembership(obs: ClusterObservation): {
  reason: string;
  message: string;
  degraded?: boolean;
} {
  if (!obs.previousStatus.clusterID) {
    const failing = [...obs.pods.values()].find((p) => p.initFailure !== undefined);
    if (failing !== undefined)
      return {
        reason: 'SeedRestoreFailing',
        degraded: true,
        message: `seed ${failing.name} cannot restore its snapshot (spec.bootstrap.restore): ${failing.initFailure}. The kubelet retries it; fix the cause (the backup's object or file, its credentials Secret) and it goes on`,
      };
    return { reason: 'WaitingForSeed', message: 'waiting for the seed member to answer' };
  }
  if (obs.pods.size === 0) {
    return {
      reason: 'NoMembers',
      message:
        'every member and its data is gone; the cluster needs disaster recovery (spec.recovery: auto, or the annotation etcd.switchboard.dev/recover, restores it from its newest EtcdBackup)',
    };
  }
  const detail = obs.membershipError ? `: ${obs.membershipError}` : '';
  return { reason: 'NoQuorum', message: `no member answered with a quorum-confirmed member list${detail}` };
}

/** The one step to take now. */
export function decide(obs: ClusterObservation, options: DecideOptions): Step {
  if (obs.spec.paused)
    return { kind: 'Wait', reason: 'Paused', message: 'spec.paused is true; no changes are made' };
  // No new member takes the name of a Pod or PVC of this cluster's name (retention.ts).
  const opts = { ...options, newMemberName: () => freshMemberName(obs, options.newMemberName) };
  const now = opts.now ?? new Date();
  // A recovery in progress follows its record before anything else (recover.ts).
  if (obs.previousStatus.recovery !== undefined) {
    const recovering = planRecovery(obs, now, opts.newMemberName, opts.watchingSince);
    if (recovering !== undefined) return recovering;
  }
  if (obs.membership === undefined) {
    return (
      planCreate(obs, opts.newMemberName) ??
      planRestartMember(obs) ??
      planRecovery(obs, now, opts.newMemberName, opts.watchingSince) ?? {
        kind: 'Wait',
        ...waitWithoutMembership(obs),
      }
    );
  }
  return (
    planDeleteOrphan(obs) ??
    planRestartMember(obs) ??
    planSpace(obs, now) ??
    planReplaceMember(obs, opts.watchingSince) ??
    planScaleDown(obs) ??
    planPromoteLearner(obs) ??
    planScaleUp(obs, opts.newMemberName) ??
    planUpgrade(obs) ??
    planRollout(obs) ??
    planScheduledDefragmentation(obs, now) ?? { kind: 'Converged' }
  );
}
