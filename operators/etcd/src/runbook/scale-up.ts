// Scale up: grow the cluster by one learner at a time until it has
// `spec.size` members (also how a replaced member comes back).
//
// Preconditions
// - A quorum-confirmed member list with fewer members than `spec.size`.
// - No learner is pending (etcd allows one; we promote it first).
// - Every member is healthy: growing a sick cluster adds load where it hurts.
//
// Safety rules
// - The new member joins as a learner: it does not vote, so adding it can
//   never cost quorum, however long it takes to start.
// - MemberAdd is not idempotent: the name (and so the peer URL) is new (no
//   member, Pod, PVC or quarantined PVC has it) and checked against the
//   fresh member list; after an interruption the added
//   member is found in the list by its peer URL and started
//   (restart-member.ts), never added twice.
// - The member is added to etcd before its Pod exists, and its Pod starts
//   with `--initial-cluster-state=existing`.
import type { ClusterObservation } from './observation.js';
import { learners } from './observation.js';
import { freshMemberName } from './retention.js';
import type { Step } from './step.js';

/** Plans adding one learner, a Wait while the cluster is not ready to grow, or undefined when big enough. */
export function planScaleUp(obs: ClusterObservation, newMemberName: () => string): Step | undefined {
  const membership = obs.membership;
  if (membership === undefined || membership.members.length >= obs.spec.size) return undefined;
  if (learners(membership).length > 0) return undefined; // promote-learner.ts first
  const sick = membership.members.filter((m) => !m.healthy).map((m) => m.memberName);
  if (sick.length > 0) {
    return {
      kind: 'Wait',
      reason: 'MembersUnhealthy',
      message: `waiting for ${sick.join(', ')} to be healthy before adding a member`,
    };
  }
  return { kind: 'AddLearner', member: freshMemberName(obs, newMemberName) };
}
