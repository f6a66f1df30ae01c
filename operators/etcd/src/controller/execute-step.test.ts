import type { Client, Condition } from '@switchboard/core';
import { ConflictError, Outcome } from '@switchboard/core';

import { healthy, idOf, observe } from '../../test/support/observation-fixture.js';
import type { EtcdCluster } from '../api/types.js';
import type { EtcdClientFactory, EtcdErrorReason } from '../etcd/etcd-client.js';
import { EtcdRequestError } from '../etcd/etcd-client.js';
import type { Step } from '../runbook/step.js';
import { isDestructive } from '../runbook/step.js';
import type { EventSink } from './step-context.js';
import { executeStep } from './execute-step.js';
import { DEFAULT_RESYNC } from './resync.js';

const cluster = { metadata: { name: 'etcd', namespace: 'ns' }, spec: {} } as unknown as EtcdCluster;
const key = { namespace: 'ns', name: 'etcd' };
/** The outcome of a step that changed something, or that etcd asked to try again soon. */
const soon = Outcome.requeueAfter(DEFAULT_RESYNC.afterChangeMs);
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
        key,
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
  /** Runs `step` against a 3-voter cluster whose etcd refuses every call with `reason`; returns its outcome and Events. */
  async function refusedWith(reason: EtcdErrorReason, step: Step) {
    const refuse = () => Promise.reject(new EtcdRequestError(reason, 'http://x', 'call', reason));
    const etcd = () => new Proxy({}, { get: () => refuse });
    const events: string[] = [];
    const outcome = await executeStep(
      {
        client: untouchable as Client,
        key,
        etcd: etcd as unknown as EtcdClientFactory,
        events: recording(events),
      },
      cluster,
      observe({ spec: { size: 3 }, members: healthy(3) }),
      step,
    );
    return { outcome, events };
  }
  const promote: Step = { kind: 'PromoteLearner', member: 'etcd-b', memberId: idOf('etcd-b') };

  it('retries a promotion soon while the learner is not in sync', async () => {
    // Stopped before its Event: the promotion is not carried out yet.
    await expect(refusedWith('LearnerNotInSync', promote)).resolves.toEqual({ outcome: soon, events: [] });
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
    // Pods are deleted only as observed (a UID precondition).
    for (const p of obs.pods.values()) p.uid = `uid-${p.name}`;
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
        key,
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
describe('answers from another etcd cluster', () => {
  it('announces them with a Warning Event once, when Degraded turns to ForeignMember', async () => {
    const seen: string[] = [];
    const run = (degradedBefore: string) =>
      executeStep(
        {
          client: untouchable as Client,
          key,
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

describe('deleting what was observed, and only that', () => {
  /** A client whose deletes are recorded; a Pod delete is refused as the API server refuses a stale UID. */
  function deletes(refusePods: boolean): { client: Client; calls: string[] } {
    const calls: string[] = [];
    const client = {
      resource: (type: { kind: string }) => ({
        delete: (key: { name: string }, opts: { preconditions?: { uid?: string } }) => {
          calls.push(`${type.kind} ${key.name} uid=${opts.preconditions?.uid}`);
          return refusePods && type.kind === 'Pod'
            ? Promise.reject(
                new ConflictError({
                  verb: 'delete',
                  resource: 'pods',
                  code: 409,
                  reason: 'Conflict',
                  message: 'uid',
                }),
              )
            : Promise.resolve();
        },
      }),
    } as unknown as Client;
    return { client, calls };
  }
  const obs = {
    ...observe({ spec: { size: 3 }, members: healthy(3), extraPods: ['etcd-x'], extraPvcs: ['etcd-x'] }),
    pvcUids: new Map([['etcd-x', 'pvc-uid-x']]),
  };
  obs.pods.get('etcd-x')!.uid = 'pod-uid-x';
  const orphan: Step = { kind: 'DeleteOrphan', member: 'etcd-x', pod: true, pvc: true };

  /** Runs the DeleteOrphan step; returns the deletes asked for, the Events and the result. */
  async function deleteLeftover(refusePods: boolean) {
    const { client, calls } = deletes(refusePods);
    const events: string[] = [];
    const ctx = { client, key, etcd: untouchable as unknown as EtcdClientFactory, events: recording(events) };
    const outcome = await executeStep(ctx, cluster, obs, orphan);
    return { calls, events, outcome };
  }

  it('deletes a Pod and its PVC with the UIDs observed as preconditions', async () => {
    expect(await deleteLeftover(false)).toEqual({
      calls: ['Pod etcd-x uid=pod-uid-x', 'PersistentVolumeClaim etcd-x uid=pvc-uid-x'],
      events: ['Normal DeleteOrphan'],
      outcome: soon,
    });
  });

  it('stops the step when the Pod was recreated since the observation: its PVC is not deleted', async () => {
    expect(await deleteLeftover(true)).toEqual({
      calls: ['Pod etcd-x uid=pod-uid-x'],
      events: ['Normal StaleObservation'],
      outcome: soon,
    });
  });

  it('records the intent of destructive steps only on the EtcdCluster as read', () => {
    const destructive: Step[] = [
      orphan,
      { kind: 'RemoveMember', member: 'm', memberId: '1', reason: 'ScaleDown', detail: '', volume: 'Retain' },
      {
        kind: 'StartRecovery',
        survivor: 'm',
        memberId: '1',
        raftIndex: '1',
        recoveryId: 'r',
        quarantine: [],
        deletePods: [],
      },
      { kind: 'ForceNewCluster', member: 'm' },
      { kind: 'FinishRecovery', member: 'm', restart: true },
    ];
    const other: Step[] = [
      { kind: 'AddLearner', member: 'm' },
      { kind: 'RetainVolume', member: 'm', why: 'Orphaned' },
      { kind: 'FinishRecovery', member: 'm', restart: false },
      { kind: 'Converged' },
    ];
    expect(destructive.map(isDestructive)).toEqual(destructive.map(() => true));
    expect(other.map(isDestructive)).toEqual(other.map(() => false));
  });
});

/** Events as `<type> <reason>`. */
function recording(events: string[]): EventSink {
  return { record: (_c, type, reason) => Promise.resolve(void events.push(`${type} ${reason}`)) };
}

describe("a member removal writes its volume's fate on the PVC first", () => {
  /** Kubernetes and etcd calls in the order made; etcd's memberRemove fails when `crash` (the operator dies there). */
  function recorder(crash: boolean) {
    const calls: string[] = [];
    const client = {
      resource: (type: { kind: string }) => ({
        patch: (
          k: { name: string },
          patch: { body: { metadata?: { annotations?: object; labels?: object } } },
        ) => {
          calls.push(`${type.kind} ${k.name} patch ${JSON.stringify(patch.body.metadata)}`);
          return Promise.resolve({});
        },
        get: (k: { name: string }) => Promise.resolve({ metadata: { name: k.name, resourceVersion: '7' } }),
        delete: (k: { name: string }) => Promise.resolve(void calls.push(`${type.kind} ${k.name} delete`)),
      }),
    } as unknown as Client;
    const etcd = (() => ({
      memberRemove: (id: string) => {
        calls.push(`etcd memberRemove ${id}`);
        return crash ? Promise.reject(new Error('operator killed')) : Promise.resolve();
      },
    })) as unknown as EtcdClientFactory;
    return { client, etcd, calls };
  }
  const obs = observe({ members: [...healthy(2), { name: 'etcd-2', healthy: false }] });
  const remove: Step = {
    kind: 'RemoveMember',
    member: 'etcd-2',
    memberId: idOf('etcd-2'),
    reason: 'Replace',
    detail: 'its node is lost',
    volume: 'Quarantine',
    quarantineId: 'replaced-abc',
  };

  it('before the member leaves etcd, so a removal stopped there leaves a PVC that says it', async () => {
    const { client, etcd, calls } = recorder(true);
    const ctx = { client, key, etcd, events: recording([]) };
    await expect(executeStep(ctx, cluster, obs, remove)).rejects.toThrow('operator killed');
    expect(calls).toEqual([
      'PersistentVolumeClaim etcd-2 patch {"annotations":{"etcd.switchboard.dev/on-removal":"Quarantine:replaced-abc"}}',
      `etcd memberRemove ${idOf('etcd-2')}`,
    ]);
  });

  it('then removes the member and quarantines the PVC', async () => {
    const { client, etcd, calls } = recorder(false);
    const events: string[] = [];
    await executeStep({ client, key, etcd, events: recording(events) }, cluster, obs, remove);
    expect(calls.slice(0, 2)).toEqual([
      'PersistentVolumeClaim etcd-2 patch {"annotations":{"etcd.switchboard.dev/on-removal":"Quarantine:replaced-abc"}}',
      `etcd memberRemove ${idOf('etcd-2')}`,
    ]);
    expect(calls.at(-1)).toContain('"etcd.switchboard.dev/quarantined-by":"replaced-abc"');
    expect(calls.filter((c) => c.startsWith('PersistentVolumeClaim') && c.endsWith(' delete'))).toEqual([]);
    expect(events).toEqual(['Warning RemoveMember']);
  });
});
