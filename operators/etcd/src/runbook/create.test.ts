import { healthy, names, observe } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';

describe('create', () => {
  it('seeds one member for a cluster that never existed', () => {
    expect(decide(observe({ members: [], noQuorum: true, status: {} }), { newMemberName: names() })).toEqual({
      kind: 'CreateSeed',
      member: 'etcd-new1',
    });
  });

  it('never seeds again once a cluster ID was recorded (that would fork the cluster)', () => {
    const step = decide(observe({ members: [], noQuorum: true, status: { clusterID: 'abc' } }), {
      newMemberName: names(),
    });
    expect(step).toMatchObject({ kind: 'Wait', reason: 'NoMembers' });
  });

  it('waits for the seed while its Pod starts', () => {
    const obs = observe({ members: [{ name: 'etcd-a' }], noQuorum: true, status: {} });
    expect(decide(obs, { newMemberName: names() })).toMatchObject({ kind: 'Wait', reason: 'WaitingForSeed' });
  });

  it('says so, Degraded, when the seed cannot restore its snapshot (spec.bootstrap.restore)', () => {
    const failure = 'init container restore exited 1 after 2 restarts: sha256 mismatch';
    const obs = observe({
      members: [{ name: 'etcd-a', pod: { initFailure: failure } }],
      noQuorum: true,
      status: {},
    });
    expect(decide(obs, { newMemberName: names() })).toMatchObject({
      kind: 'Wait',
      reason: 'SeedRestoreFailing',
      degraded: true,
      message: expect.stringContaining(failure),
    });
  });

  it('grows the seed one learner at a time', () => {
    const step = decide(observe({ members: healthy(1) }), { newMemberName: names() });
    expect(step).toEqual({ kind: 'AddLearner', member: 'etcd-new1' });
  });

  it('makes no change while paused', () => {
    const step = decide(observe({ spec: { paused: true }, members: healthy(1) }), { newMemberName: names() });
    expect(step).toMatchObject({ kind: 'Wait', reason: 'Paused' });
  });
});
