import type { Client } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import type { EtcdClientFactory, EtcdEndpointClient, EtcdMemberList } from '../etcd/etcd-client.js';
import type { PersistentVolumeClaim, Pod } from '../kube/kube-types.js';
import { memberLabels, QUARANTINE_LABEL } from '../kube/labels.js';
import { decide } from '../runbook/decide.js';
import { peerURL } from '../runbook/member-names.js';
import { initContainerFailure, observeCluster } from './observe-cluster.js';

const cluster = {
  apiVersion: 'etcd.switchboard.dev/v1alpha1',
  kind: 'EtcdCluster',
  metadata: { name: 'web', namespace: 'prod', generation: 1, uid: 'u1' },
  spec: { size: 1, version: '3.6.16', storage: { type: 'Ephemeral' } },
} as unknown as EtcdCluster;

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-b2c4d', namespace: 'prod', creationTimestamp: '2026-11-28T00:00:00Z' },
  spec: { containers: [{ name: 'etcd', image: 'quay.io/coreos/etcd:v3.6.16' }] },
  status: { phase: 'Running', podIP: '10.244.0.7', conditions: [{ type: 'Ready', status: 'True' }] },
};

/** A Client that lists `pods` and no PVCs; nothing else is called by an observation. */
const client = {
  resource: (type: { kind: string }) => ({
    listAll: () => Promise.resolve({ items: type.kind === 'Pod' ? [pod] : [] }),
  }),
} as unknown as Client;

/** A one-member etcd that answers on any endpoint and records which endpoints were asked. */
function recordingEtcd(asked: string[]): EtcdClientFactory {
  const list: EtcdMemberList = {
    clusterId: 'c1',
    members: [
      {
        id: 'a1',
        name: 'web-b2c4d',
        peerURLs: [peerURL('web', 'prod', 'web-b2c4d')],
        clientURLs: [],
        isLearner: false,
      },
    ],
  };
  return (endpoint) => {
    const note = <T>(value: T) => {
      asked.push(endpoint);
      return Promise.resolve(value);
    };
    return {
      endpoint,
      memberList: () => note(list),
      status: () =>
        note({
          memberId: 'a1',
          clusterId: 'c1',
          version: '3.6.16',
          leaderId: 'a1',
          raftIndex: 1n,
          raftAppliedIndex: 1n,
          isLearner: false,
          dbSize: 1,
          errors: [],
        }),
      health: () => note(true),
      alarms: () => note([]),
    } as unknown as EtcdEndpointClient;
  };
}

describe('observeCluster', () => {
  it('reaches members by their DNS names under the headless Service when addressing is dns', async () => {
    const asked: string[] = [];
    const obs = await observeCluster(client, cluster, recordingEtcd(asked), undefined, 'dns');
    expect(new Set(asked)).toEqual(new Set(['http://web-b2c4d.web.prod.svc:2379']));
    expect(obs.membership?.members.map((m) => [m.memberName, m.healthy])).toEqual([['web-b2c4d', true]]);
  });
  it('reaches members by Pod IP by default (a host cannot resolve cluster names)', async () => {
    const asked: string[] = [];
    const obs = await observeCluster(client, cluster, recordingEtcd(asked));
    expect(new Set(asked)).toEqual(new Set(['http://10.244.0.7:2379']));
    expect(obs.membership?.leaderId).toBe('a1');
  });
});

describe('quarantined PVCs in an observation', () => {
  const persistent = {
    ...cluster,
    spec: { size: 1, version: '3.6.16', storage: { type: 'PersistentVolume' } },
  } as unknown as EtcdCluster;
  const claim = (name: string, labels: Record<string, string> = {}): PersistentVolumeClaim => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'prod', labels: { ...memberLabels('web', name), ...labels } },
    spec: {},
  });
  const withPvcs = {
    resource: (type: { kind: string }) => ({
      listAll: () =>
        Promise.resolve({
          items:
            type.kind === 'Pod'
              ? [pod]
              : [claim('web-b2c4d'), claim('web-lost1', { [QUARANTINE_LABEL]: '20261207T195527000Z' })],
        }),
    }),
  } as unknown as Client;

  it("lists a quarantined PVC apart from the members' PVCs, so it is never deleted as a leftover or reused", async () => {
    const obs = await observeCluster(withPvcs, persistent, recordingEtcd([]));
    expect([...obs.pvcs]).toEqual(['web-b2c4d']);
    expect([...(obs.quarantinedPvcs ?? [])]).toEqual(['web-lost1']);
    // The member list has only web-b2c4d: an unlabelled web-lost1 would be an orphan, deleted.
    expect(decide(obs, { newMemberName: () => 'web-lost1' })).toEqual({ kind: 'Converged' });
  });
});

describe('initContainerFailure', () => {
  const withInit = (initContainerStatuses: NonNullable<Pod['status']>['initContainerStatuses']): Pod => ({
    ...pod,
    status: { phase: 'Pending', initContainerStatuses },
  });

  it("describes the last failed run of a seed's init container, with the tail of its message", () => {
    const crashLooping = withInit([
      { name: 'tools', restartCount: 0, state: { terminated: { exitCode: 0 } } },
      {
        name: 'fetch-snapshot',
        restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: {
          terminated: {
            exitCode: 1,
            message: 'fetching s3://b/k\nNoSuchKey: The specified key does not exist.\n',
          },
        },
      },
    ]);
    expect(initContainerFailure(crashLooping)).toBe(
      'init container fetch-snapshot exited 1 after 3 restarts: fetching s3://b/k | NoSuchKey: The specified key does not exist.',
    );
  });

  it('says nothing while init containers succeed or have not run', () => {
    expect(initContainerFailure(pod)).toBeUndefined();
    expect(
      initContainerFailure(
        withInit([
          { name: 'tools', restartCount: 0, state: { terminated: { exitCode: 0 } } },
          { name: 'restore', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ]),
      ),
    ).toBeUndefined();
  });
});
