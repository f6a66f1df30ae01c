// How many member Pods the PodDisruptionBudget keeps available: enough that
// voluntary evictions (a node drain) never take a quorum of the voters etcd
// has now, whatever spec.size says.
//
// Preconditions
// - None: the budget is computed on every pass, quorum or not.
//
// Safety rules
// - Counted from the live voters, not spec.size: during 5 -> 3 the cluster
//   still has 5 voters and needs 3 of them, not 2; during 3 -> 5 the
//   learners being added are not voters yet.
// - Every member Pod that is not a voter's (a learner, a member being
//   started, an orphan) is added to the quorum: the disruption controller
//   counts every healthy Pod the selector matches, so the budget must hold a
//   quorum of voters even if every non-voter Pod stays and only voters go.
// - Without a member list this pass, the voters last written to status
//   stand; with neither (a new cluster), spec.size.
// - The PDB follows a change one pass late at most: it is applied before the
//   pass's step, and a step changes the voters by one (removal lowers the
//   quorum needed, a promotion moves a Pod from the non-voters into the
//   quorum), so the budget applied is never below what the voters need.
import type { ClusterObservation } from './observation.js';
import { voters } from './observation.js';
import { quorum } from './quorum.js';

/** The names of the members that vote, from this pass's member list or the last status. */
function voterNames(obs: ClusterObservation): ReadonlySet<string> | undefined {
  if (obs.membership !== undefined) return new Set(voters(obs.membership).map((m) => m.memberName));
  const recorded = (obs.previousStatus.members ?? []).filter((m) => !m.learner).map((m) => m.name);
  return recorded.length > 0 ? new Set(recorded) : undefined;
}

/** `minAvailable` of the cluster's PodDisruptionBudget. */
export function minAvailableMembers(obs: ClusterObservation): number {
  const voting = voterNames(obs);
  if (voting === undefined) return quorum(obs.spec.size);
  const nonVoterPods = [...obs.pods.keys()].filter((pod) => !voting.has(pod)).length;
  return quorum(voting.size) + nonVoterPods;
}
