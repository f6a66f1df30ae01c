// Rolling upgrade: restart members one at a time on their own data at
// `spec.version`, the leader last.
//
// Preconditions
// - A quorum-confirmed member list with exactly `spec.size` voters and no
//   learner (membership changes finish first).
// - Every member is healthy and reports its version, and no member is
//   mid-restart (its Pod's image already names a version it does not run yet).
// - The path from the cluster's current version (the lowest any member runs)
//   to `spec.version` is a patch or one minor up, from a patch etcd allows to
//   leave its line (3.5.26+ before 3.6; version.ts). The CRD refuses the rest
//   at admission; this re-checks against what members run. A refused path is
//   a degraded Wait: the Degraded condition and a Warning Event name the
//   patch to move to first, since the operator cannot go on by itself.
//
// Safety rules
// - One member at a time: the next starts only when the previous one is
//   healthy at the new version (the "every member healthy" precondition on
//   the next pass).
// - The leader goes last, and leadership moves to an upgraded member first
//   (a separate step), so the cluster has one leader election, not several.
// - The restart keeps the member's data and ID: the Pod's image is changed in
//   place, which restarts the container on the same volume (PVC or emptyDir).
//   A member whose Pod is on an outdated template (rollout.ts) is instead
//   recreated from the current template at the new version, once, rather
//   than restarted twice: its Pod deleted and started again on its PVC, or
//   on ephemeral storage the member replaced by a fresh one (a one-member
//   ephemeral cluster is patched in place: replacing its member loses the data).
import { upgradePathProblem } from '../api/version.js';
import type { ClusterObservation, ObservedMember } from './observation.js';
import { isPersistent, learners, voters } from './observation.js';
import { hasOutdatedTemplate, nextLeaderLast, rollMemberStep } from './rollout.js';
import type { Step, UpgradeHow } from './step.js';

/** The lowest version any member reports, or undefined when none reports one. */
export function currentVersion(members: readonly ObservedMember[]): string | undefined {
  const versions = members
    .map((m) => m.status?.version)
    .filter((v): v is string => v !== undefined && v !== '');
  return versions.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))[0];
}

/** Plans the next upgrade step, a Wait when one cannot start yet, or undefined when all run spec.version. */
export function planUpgrade(obs: ClusterObservation): Step | undefined {
  const membership = obs.membership;
  if (membership === undefined) return undefined;
  const target = obs.spec.version;
  const outdated = membership.members.filter((m) => obs.pods.get(m.memberName)?.imageVersion !== target);
  const restarting = membership.members.filter((m) => {
    const pod = obs.pods.get(m.memberName);
    return pod?.imageVersion === target && m.status?.version !== target;
  });
  if (outdated.length === 0 && restarting.length === 0) return undefined;
  const wait = (reason: string, message: string): Step => ({ kind: 'Wait', reason, message });
  if (restarting.length > 0) {
    return wait(
      'MemberRestarting',
      `waiting for ${restarting.map((m) => m.memberName).join(', ')} to run ${target}`,
    );
  }
  if (learners(membership).length > 0 || voters(membership).length !== obs.spec.size) {
    return wait('MembershipChanging', 'upgrade waits for membership changes to finish');
  }
  const sick = membership.members.filter((m) => !m.healthy || m.status === undefined);
  if (sick.length > 0) {
    return wait(
      'MembersUnhealthy',
      `upgrade waits for ${sick.map((m) => m.memberName).join(', ')} to be healthy`,
    );
  }
  const from = currentVersion(membership.members) ?? target;
  const problem = upgradePathProblem(from, target);
  if (problem !== undefined)
    return { kind: 'Wait', reason: 'UnsupportedUpgradePath', message: problem, degraded: true };

  const next = nextLeaderLast(obs, outdated, (m) => m.status?.version === target, 'Upgrade');
  if ('kind' in next) return next;
  return {
    kind: 'UpgradeMember',
    member: next.memberName,
    memberId: next.id,
    from: next.status?.version ?? from,
    to: target,
    how: upgradeHow(obs, next),
  };
}

/**
 * How a member is upgraded: its image patched in place when its Pod is on the
 * current template; otherwise recreated from the current template at the new
 * version (its Pod deleted and started again on its PVC; on ephemeral storage
 * the member replaced, unless it is the only one), as the template rollout
 * would do next anyway (rollout.ts). Flags whose spelling the new version
 * changed (../kube/etcd-flags.ts) are only right in a recreated Pod.
 */
function upgradeHow(obs: ClusterObservation, member: ObservedMember): UpgradeHow {
  if (!hasOutdatedTemplate(obs, member.memberName)) return 'PatchImage';
  if (isPersistent(obs)) return 'RecreatePod';
  const step = rollMemberStep(obs, member);
  return step.kind === 'RollMember' ? 'ReplaceMember' : 'PatchImage';
}
