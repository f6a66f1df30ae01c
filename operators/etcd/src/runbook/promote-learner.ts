// Promote a learner once it has caught up, making it a voter.
//
// Preconditions
// - A quorum-confirmed member list with a learner whose Pod runs and whose
//   endpoint answers.
// - The cluster is not over size (scale-down removes a surplus learner
//   instead).
//
// Safety rules
// - Promotion adds a voter, so the healthy voters plus the learner must be a
//   quorum of the larger voter set (quorum.ts).
// - etcd itself refuses to promote a learner that is not in sync with the
//   leader ("can only promote a learner member which is in sync with
//   leader"); that answer means "try again shortly", not failure.
import { hasQuorumAfterPromotion } from './quorum.js';
import type { ClusterObservation } from './observation.js';
import { learners, voterCount } from './observation.js';
import type { Step } from './step.js';

/** Plans promoting the pending learner, a Wait while it is not ready, or undefined when there is none. */
export function planPromoteLearner(obs: ClusterObservation): Step | undefined {
  const membership = obs.membership;
  if (membership === undefined) return undefined;
  const learner = learners(membership)[0];
  if (learner === undefined) return undefined;
  const pod = obs.pods.get(learner.memberName);
  if (pod === undefined || pod.phase !== 'Running' || learner.status === undefined) {
    return {
      kind: 'Wait',
      reason: 'LearnerStarting',
      message: `waiting for learner ${learner.memberName} to start`,
    };
  }
  if (!hasQuorumAfterPromotion(voterCount(membership))) {
    return {
      kind: 'Wait',
      reason: 'PromotionWouldLoseQuorum',
      message: `promoting ${learner.memberName} now would leave the voters without a healthy quorum`,
    };
  }
  return { kind: 'PromoteLearner', member: learner.memberName, memberId: learner.id };
}
