import type { Client, Condition } from '@switchboard/core';

import { healthy, idOf, observe } from '../../test/support/observation-fixture.js';
import type { EtcdCluster } from '../api/types.js';
import type { EtcdClientFactory, EtcdErrorReason } from '../etcd/etcd-client.js';
import { EtcdRequestError } from '../etcd/etcd-client.js';
import type { Step } from '../runbook/step.js';
import { executeStep } from './execute-step.js';

const cluster = { metadata: { name: 'etcd', namespace: 'ns' }, spec: {} } as unknown as EtcdCluster;
/** Waits touch neither Kubernetes nor etcd: any call fails the test. */
const untouchable = new Proxy({}, { get: () => () => Promise.reject(new Error('called')) });

/** Conditions of a status whose Degraded condition has `reason`. */
function degradedAs(reason: string): Condition[] {
  return [
    { type: 'Degraded', status: 'True', reason, message: '', lastTransitionTime: '2026-11-28T00:00:00Z' },
  ];
}

describe('executing a Wait', () => {
  const blocked: Step = { kind: 'Wait', reason: 'NoSurvivorNoBackup', message: 'no backup', degraded: true };

  async function eventsFor(degradedBefore: string | undefined, step: Step): Promise<string[]> {
    const seen: string[] = [];
    const obs = observe({
      members: [],
      noQuorum: true,
      status: {
        clusterID: 'c1',
        ...(degradedBefore ? { conditions: degradedAs(degradedBefore) } : {}),
      },
    });
    await executeStep(
      {
        client: untouchable as Client,
        etcd: untouchable as unknown as EtcdClientFactory,
        events: {
          record: (_c, type, reason, message) =>
            Promise.resolve(void seen.push(`${type} ${reason}: ${message}`)),
        },
      },
      cluster,
      obs,
      step,
    );
    return seen;
  }

  it('announces a degraded wait with a Warning Event once, when Degraded turns to its reason', async () => {
    expect(await eventsFor('QuorumUnavailable', blocked)).toEqual(['Warning NoSurvivorNoBackup: no backup']);
    expect(await eventsFor(undefined, blocked)).toEqual(['Warning NoSurvivorNoBackup: no backup']);
    expect(await eventsFor('NoSurvivorNoBackup', blocked)).toEqual([]);
  });

  it('records nothing for an ordinary wait', async () => {
    expect(await eventsFor(undefined, { kind: 'Wait', reason: 'QuorumLost', message: 'waiting' })).toEqual(
      [],
    );
  });
});

describe('etcd refusals that pass by themselves', () => {
  /** Runs `step` against a 3-voter cluster whose etcd refuses every call with `reason`; returns whether it asked to retry soon. */
  async function refusedWith(reason: EtcdErrorReason, step: Step): Promise<boolean> {
    const refuse = () => Promise.reject(new EtcdRequestError(reason, 'http://x', 'call', reason));
    const etcd = () => new Proxy({}, { get: () => refuse });
    const result = await executeStep(
      {
        client: untouchable as Client,
        etcd: etcd as unknown as EtcdClientFactory,
        events: { record: () => Promise.resolve() },
      },
      cluster,
      observe({ spec: { size: 3 }, members: healthy(3) }),
      step,
    );
    return result.retrySoon;
  }
  const promote: Step = { kind: 'PromoteLearner', member: 'etcd-b', memberId: idOf('etcd-b') };

  it('retries a promotion soon while the learner is not in sync', async () => {
    await expect(refusedWith('LearnerNotInSync', promote)).resolves.toBe(true);
  });

  it('fails a step on any other refusal, so the controller backs off', async () => {
    await expect(refusedWith('Timeout', promote)).rejects.toThrow(EtcdRequestError);
  });
});

describe('answers from another etcd cluster', () => {
  it('announces them with a Warning Event once, when Degraded turns to ForeignMember', async () => {
    const seen: string[] = [];
    const run = (degradedBefore: string) =>
      executeStep(
        {
          client: untouchable as Client,
          etcd: untouchable as unknown as EtcdClientFactory,
          events: { record: (_c, type, reason) => Promise.resolve(void seen.push(`${type} ${reason}`)) },
        },
        cluster,
        observe({
          members: healthy(3),
          foreignAnswers: [{ member: 'etcd-s', clusterId: 'c9' }],
          status: { clusterID: 'c1', conditions: degradedAs(degradedBefore) },
        }),
        { kind: 'Converged' },
      );
    await run('AllMembersHealthy');
    expect(seen).toEqual(['Warning ForeignMember']);
    await run('ForeignMember');
    expect(seen).toEqual(['Warning ForeignMember']);
  });
});
