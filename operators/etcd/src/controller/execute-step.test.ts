import type { Client } from '@switchboard/core';

import { healthy, idOf, observe } from '../../test/support/observation-fixture.js';
import type { EtcdCluster } from '../api/types.js';
import type { EtcdClientFactory, EtcdErrorReason } from '../etcd/etcd-client.js';
import { EtcdRequestError } from '../etcd/etcd-client.js';
import type { Step } from '../runbook/step.js';
import { executeStep } from './execute-step.js';

const cluster = { metadata: { name: 'etcd', namespace: 'ns' }, spec: {} } as unknown as EtcdCluster;
/** Waits touch neither Kubernetes nor etcd: any call fails the test. */
const untouchable = new Proxy({}, { get: () => () => Promise.reject(new Error('called')) });

describe('executing a Wait', () => {
  const blocked: Step = { kind: 'Wait', reason: 'NoSurvivorNoBackup', message: 'no backup', degraded: true };

  async function eventsFor(degradedBefore: string | undefined, step: Step): Promise<string[]> {
    const seen: string[] = [];
    const obs = observe({
      members: [],
      noQuorum: true,
      status: {
        clusterID: 'c1',
        ...(degradedBefore
          ? {
              conditions: [
                {
                  type: 'Degraded',
                  status: 'True',
                  reason: degradedBefore,
                  message: '',
                  lastTransitionTime: '2026-11-28T00:00:00Z',
                },
              ],
            }
          : {}),
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

describe('executing a disaster recovery', () => {
  /** A Client that records every call as `verb kind name`, with PVCs owned by the cluster. */
  function recordingClient(calls: string[], patches: unknown[]): Client {
    return {
      resource: (type: { kind: string }) => ({
        get: (key: { name: string }) => {
          calls.push(`get ${type.kind} ${key.name}`);
          return Promise.resolve({
            metadata: {
              name: key.name,
              resourceVersion: '7',
              labels: { 'etcd.switchboard.dev/member': key.name },
              ownerReferences: [{ kind: 'EtcdCluster', name: 'etcd', uid: 'u1', apiVersion: 'x' }],
            },
          });
        },
        patch: (key: { name: string }, patch: { body: unknown }) => {
          calls.push(`patch ${type.kind} ${key.name}`);
          patches.push(patch.body);
          return Promise.resolve({});
        },
        delete: (key: { name: string }) => {
          calls.push(`delete ${type.kind} ${key.name}`);
          return Promise.resolve();
        },
      }),
    } as unknown as Client;
  }

  it("quarantines the other members' PVCs (no owner reference, labelled, annotated) and deletes only Pods", async () => {
    const calls: string[] = [];
    const patches: unknown[] = [];
    const obs = observe({ members: healthy(3), noQuorum: true });
    const step: Step = {
      kind: 'StartRecovery',
      survivor: 'etcd-a',
      memberId: idOf('etcd-a'),
      raftIndex: '20',
      highestRaftIndex: '25',
      highestRaftIndexMember: 'etcd-b',
      recoveryId: '20261207T195527000Z',
      quarantine: ['etcd-b', 'etcd-c'],
      deletePods: ['etcd-b', 'etcd-c'],
    };
    const events: string[] = [];
    await executeStep(
      {
        client: recordingClient(calls, patches),
        etcd: untouchable as unknown as EtcdClientFactory,
        events: {
          record: (_c, type, reason, message) =>
            Promise.resolve(void events.push(`${type} ${reason}: ${message}`)),
        },
      },
      { ...cluster, metadata: { ...cluster.metadata, uid: 'u1' } },
      obs,
      step,
    );
    expect(calls.filter((c) => c.startsWith('delete'))).toEqual([
      'delete Pod etcd-b',
      'delete Pod etcd-c',
      'delete Pod etcd-a',
    ]);
    expect(calls.filter((c) => c.startsWith('patch'))).toEqual([
      'patch PersistentVolumeClaim etcd-b',
      'patch PersistentVolumeClaim etcd-c',
    ]);
    expect(patches[0]).toMatchObject({
      metadata: {
        resourceVersion: '7',
        ownerReferences: null,
        labels: { 'etcd.switchboard.dev/quarantined-by': '20261207T195527000Z' },
        annotations: {
          'etcd.switchboard.dev/quarantine-note': expect.stringContaining(
            'writes between raft index 20 and 25 (last seen on etcd-b) may be lost',
          ) as unknown,
        },
      },
    });
    expect(events).toEqual([
      expect.stringMatching(/^Warning StartRecovery: .*quarantined PVCs etcd-b, etcd-c hold them$/),
    ]);
  });
});
