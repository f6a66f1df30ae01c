// Template rollout: bring every member's Pod to the template the spec (and
// this operator's code) asks for now, one member at a time, the leader last.
// A member's Pod carries the hash of the template it was made from
// (../kube/member-pod.ts memberTemplateHash); a Pod with another hash, or with
// none (made by an older operator), is outdated. Most of a Pod is immutable,
// so an outdated member is recreated, not patched:
// - persistent storage: its Pod is deleted, and restart-member.ts starts it
//   again on its PVC from the current template (same data, same member ID);
// - ephemeral storage (emptyDir): deleting the Pod would lose the member's
//   data, so the member is replaced: removed from etcd with its Pod, and
//   scale-up.ts adds a fresh learner from the current template.
//
// Preconditions
// - The template hash the spec asks for is known (the observation has one).
// - Every member runs spec.version, in its Pod's image and in what it
//   reports: a version change is upgrade.ts's and goes first (an upgrade
//   recreates a member whose template is outdated itself: upgrade.ts).
// - A quorum-confirmed member list with exactly `spec.size` voters and no
//   learner (membership changes, a replacement included, finish first).
// - Every member is healthy and its Pod is Running, Ready and not
//   terminating: the previous member is back before the next goes.
//
// Safety rules
// - One member at a time, followers first (by name); the leader last, after
//   leadership moved to an updated member (a separate step), so the cluster
//   sees one leader election, not several.
// - Taking one member down must leave a healthy quorum of the others. A one-
//   or two-member cluster cannot keep one while a member restarts: with
//   persistent storage it is restarted anyway (as an upgrade does, the cluster
//   is unavailable for those seconds), with ephemeral storage a one-member
//   cluster is never rolled (its only copy of the data would go).
// - The Pod delete carries the observed UID (a destructive step).
import { hasQuorumAfterRemoval } from './quorum.js';
import type { ClusterObservation, ObservedMember } from './observation.js';
import { isPersistent, learners, voterCount, voters } from './observation.js';
import type { Step } from './step.js';

/** True when the member's Pod exists and was made from another template than the spec asks for. */
export function hasOutdatedTemplate(obs: ClusterObservation, member: string): boolean {
  const pod = obs.pods.get(member);
  return (
    obs.memberTemplateHash !== undefined && pod !== undefined && pod.templateHash !== obs.memberTemplateHash
  );
}

/** Members whose Pod is on the current template, out of all members (for status). */
export function templateProgress(obs: ClusterObservation): { updated: number; total: number } | undefined {
  const members = obs.membership?.members;
  if (members === undefined || obs.memberTemplateHash === undefined) return undefined;
  const updated = members.filter(
    (m) => obs.pods.get(m.memberName)?.templateHash === obs.memberTemplateHash,
  ).length;
  return { updated, total: members.length };
}

/**
 * Among `candidates` (members to restart), the next one: a follower (by
 * name), or, when only the leader is left, a MoveLeader step to another
 * member (one of `preferred` when there is one).
 */
export function nextLeaderLast(
  obs: ClusterObservation,
  candidates: readonly ObservedMember[],
  preferred: (m: ObservedMember) => boolean,
  why: 'Upgrade' | 'Rollout',
): ObservedMember | Extract<Step, { kind: 'MoveLeader' }> {
  const membership = obs.membership!;
  const next = [...candidates].sort((a, b) => a.memberName.localeCompare(b.memberName));
  const follower = next.find((m) => m.id !== membership.leaderId);
  const member = follower ?? next[0]!;
  if (follower !== undefined || membership.members.length <= 1) return member;
  const others = membership.members.filter((m) => m.id !== member.id);
  const to = others.find(preferred) ?? others[0]!;
  return { kind: 'MoveLeader', fromId: member.id, toId: to.id, toMember: to.memberName, why };
}

/**
 * The step that recreates one member from the current template: its Pod
 * deleted (persistent storage), or the member replaced (ephemeral storage);
 * a Wait when a one-member ephemeral cluster would lose its data.
 */
export function rollMemberStep(obs: ClusterObservation, member: ObservedMember): Step {
  const progress = templateProgress(obs) ?? { updated: 0, total: 1 };
  if (!isPersistent(obs) && !hasQuorumAfterRemoval(voterCount(obs.membership!), member)) {
    return {
      kind: 'Wait',
      reason: 'RolloutWouldLoseData',
      message: `the member template changed, but ${member.memberName} keeps the only copy of the data on ephemeral storage: replacing it would lose it. Scale the cluster to 3 members first (the new members get the new template)`,
    };
  }
  return {
    kind: 'RollMember',
    member: member.memberName,
    memberId: member.id,
    how: isPersistent(obs) ? 'RecreatePod' : 'ReplaceMember',
    updated: progress.updated,
    total: progress.total,
  };
}

/** Plans the next rollout step, a Wait when one cannot start yet, or undefined when every Pod is current. */
export function planRollout(obs: ClusterObservation): Step | undefined {
  const membership = obs.membership;
  if (membership === undefined || obs.memberTemplateHash === undefined) return undefined;
  const outdated = membership.members.filter((m) => hasOutdatedTemplate(obs, m.memberName));
  if (outdated.length === 0) return undefined;
  const target = obs.spec.version;
  const wait = (reason: string, message: string): Step => ({ kind: 'Wait', reason, message });
  const pods = membership.members.map((m) => ({ member: m, pod: obs.pods.get(m.memberName) }));
  if (pods.some(({ member, pod }) => pod?.imageVersion !== target || member.status?.version !== target)) {
    return wait(
      'RolloutWaitsForUpgrade',
      `the member template rollout waits for every member to run ${target}`,
    );
  }
  const restarting = pods.filter(
    ({ member, pod }) => !pod || pod.terminating || pod.phase !== 'Running' || !pod.ready || !member.healthy,
  );
  if (learners(membership).length > 0 || voters(membership).length !== obs.spec.size) {
    return wait(
      'RolloutWaitsForMembership',
      'the member template rollout waits for membership changes to finish',
    );
  }
  if (restarting.length > 0) {
    return wait(
      'RolloutWaitsForMembers',
      `the member template rollout waits for ${restarting.map(({ member }) => member.memberName).join(', ')} to be running and healthy`,
    );
  }
  const next = nextLeaderLast(obs, outdated, (m) => !hasOutdatedTemplate(obs, m.memberName), 'Rollout');
  return 'kind' in next ? next : rollMemberStep(obs, next);
}
