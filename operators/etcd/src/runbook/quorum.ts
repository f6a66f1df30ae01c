// Raft quorum arithmetic: the one safety invariant every membership change is
// checked against. A cluster of n voters needs floor(n/2)+1 of them to agree;
// a change is safe only if the voters that are healthy after it still make a
// quorum of the voters that exist after it.

/** Votes needed for a decision among `voters`. */
export function quorum(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/** The voters before a change, and how many of them are healthy. */
export interface VoterCount {
  voters: number;
  healthyVoters: number;
}

/**
 * True when removing the voter `removed` (healthy or not) leaves a healthy quorum.
 *
 * @example
 * hasQuorumAfterRemoval({ voters: 3, healthyVoters: 2 }, { healthy: false }); // true
 */
export function hasQuorumAfterRemoval(count: VoterCount, removed: { healthy: boolean }): boolean {
  const voters = count.voters - 1;
  const healthy = count.healthyVoters - (removed.healthy ? 1 : 0);
  return voters >= 1 && healthy >= quorum(voters);
}

/** True when promoting a caught-up learner (healthy by definition) keeps a healthy quorum. */
export function hasQuorumAfterPromotion(count: VoterCount): boolean {
  return count.healthyVoters + 1 >= quorum(count.voters + 1);
}

/** True when the healthy voters make a quorum now. */
export function hasQuorum(count: VoterCount): boolean {
  return count.voters > 0 && count.healthyVoters >= quorum(count.voters);
}
