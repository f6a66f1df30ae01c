import { hasQuorum, hasQuorumAfterPromotion, hasQuorumAfterRemoval, quorum } from './quorum.js';

describe('quorum', () => {
  it('is a strict majority', () => {
    expect([1, 2, 3, 4, 5, 9].map(quorum)).toEqual([1, 2, 2, 3, 3, 5]);
  });

  it('allows removing a healthy voter only when the rest still make a quorum', () => {
    expect(hasQuorumAfterRemoval({ voters: 5, healthyVoters: 5 }, { healthy: true })).toBe(true);
    expect(hasQuorumAfterRemoval({ voters: 3, healthyVoters: 3 }, { healthy: true })).toBe(true);
    // 3 voters, one already down: removing a healthy one leaves 1 healthy of 2.
    expect(hasQuorumAfterRemoval({ voters: 3, healthyVoters: 2 }, { healthy: true })).toBe(false);
    expect(hasQuorumAfterRemoval({ voters: 1, healthyVoters: 1 }, { healthy: true })).toBe(false);
  });

  it('allows removing a dead voter whenever the healthy ones remain a quorum of the smaller cluster', () => {
    expect(hasQuorumAfterRemoval({ voters: 3, healthyVoters: 2 }, { healthy: false })).toBe(true);
    expect(hasQuorumAfterRemoval({ voters: 5, healthyVoters: 2 }, { healthy: false })).toBe(false);
  });

  it('promotes only when the new voter set keeps a healthy quorum', () => {
    expect(hasQuorumAfterPromotion({ voters: 1, healthyVoters: 1 })).toBe(true);
    expect(hasQuorumAfterPromotion({ voters: 3, healthyVoters: 1 })).toBe(false);
    expect(hasQuorum({ voters: 0, healthyVoters: 0 })).toBe(false);
  });
});
