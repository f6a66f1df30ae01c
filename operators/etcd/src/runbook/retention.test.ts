import { healthy, names, observe } from '../../test/support/observation-fixture.js';
import type { FixtureCluster } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';
import { freshMemberName, isOurs, retentionPolicy } from './retention.js';

describe('whose a Pod or PVC is', () => {
  it('is ours by the UID label, else by the controller reference (objects of an older operator)', () => {
    expect(isOurs({ uidLabel: 'u1' }, 'u1')).toBe(true);
    expect(isOurs({ ownerUid: 'u1' }, 'u1')).toBe(true);
    // The label wins: a namesake's PVC adopted by hand is still the namesake's.
    expect(isOurs({ uidLabel: 'u0', ownerUid: 'u1' }, 'u1')).toBe(false);
    expect(isOurs({ uidLabel: 'u0' }, 'u1')).toBe(false);
    expect(isOurs({}, 'u1')).toBe(false);
  });

  it('defaults like a StatefulSet: Retain on deletion and on scale-down', () => {
    expect(retentionPolicy({})).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(retentionPolicy({ persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } })).toEqual({
      whenDeleted: 'Retain',
      whenScaled: 'Delete',
    });
  });
});

describe('a new cluster with the name of a deleted one', () => {
  const fresh: FixtureCluster = { members: [], noQuorum: true, status: {} };

  it("seeds afresh beside the old cluster's PVCs, never starting a member on them", () => {
    const obs = observe({ ...fresh, foreign: ['etcd-old1', 'etcd-old2'] });
    expect(decide(obs, { newMemberName: names() })).toEqual({ kind: 'CreateSeed', member: 'etcd-new1' });
  });

  it("never names a new member after a foreign or retained PVC (its data would be the new member's)", () => {
    const obs = observe({ ...fresh, foreign: ['etcd-new1'], retainedPvcs: ['etcd-new2'] });
    expect(decide(obs, { newMemberName: names() })).toEqual({ kind: 'CreateSeed', member: 'etcd-new3' });
    const growing = observe({ spec: { size: 4 }, members: healthy(3), foreign: ['etcd-new1'] });
    expect(decide(growing, { newMemberName: names() })).toEqual({ kind: 'AddLearner', member: 'etcd-new2' });
  });

  it('gives up rather than loop when every name offered is taken', () => {
    const obs = observe({ ...fresh, foreign: ['etcd-x'] });
    expect(() => freshMemberName(obs, () => 'etcd-x')).toThrow(/no free member name/);
  });
});
