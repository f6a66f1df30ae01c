import { healthy, observe } from '../../test/support/observation-fixture.js';
import { minAvailableMembers } from './disruption-budget.js';

describe('the PodDisruptionBudget from the live voters', () => {
  it('keeps a quorum of the 5 voters while spec.size already says 3 (5 -> 3)', () => {
    expect(minAvailableMembers(observe({ spec: { size: 3 }, members: healthy(5) }))).toBe(3);
    expect(minAvailableMembers(observe({ spec: { size: 3 }, members: healthy(4) }))).toBe(3);
    expect(minAvailableMembers(observe({ spec: { size: 3 }, members: healthy(3) }))).toBe(2);
  });

  it("counts a learner's Pod on top of the voters' quorum (3 -> 5), so evictions can only take non-quorum voters", () => {
    const members = [...healthy(3), { name: 'etcd-d', learner: true }];
    expect(minAvailableMembers(observe({ spec: { size: 5 }, members }))).toBe(3);
  });

  it("counts the Pods of non-members (orphans, members being started) like a learner's", () => {
    expect(
      minAvailableMembers(observe({ spec: { size: 3 }, members: healthy(3), extraPods: ['etcd-x'] })),
    ).toBe(3);
  });

  it('keeps the voters last written to status without a member list, spec.size with neither', () => {
    const status = {
      members: ['etcd-a', 'etcd-b', 'etcd-c', 'etcd-d', 'etcd-e'].map((name) => ({
        name,
        id: name,
        peerURL: '',
        healthy: false,
        learner: false,
        leader: false,
      })),
    };
    const lost = observe({ spec: { size: 3 }, members: healthy(5), noQuorum: true, status });
    expect(minAvailableMembers(lost)).toBe(3);
    const fresh = observe({ spec: { size: 5 }, members: [], noQuorum: true, status: {} });
    expect(minAvailableMembers(fresh)).toBe(3);
  });
});
