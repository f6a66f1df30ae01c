import type { Client } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import { endpointStatus } from '../../test/support/observation-fixture.js';
import type { EtcdClientFactory, EtcdEndpointClient, EtcdMemberList } from '../etcd/etcd-client.js';
import type { PersistentVolumeClaim, Pod } from '../kube/kube-types.js';
import { MEMBER_TEMPLATE_ANNOTATION, memberLabels, QUARANTINE_LABEL } from '../kube/labels.js';
import { memberTemplateHash } from '../kube/member-pod.js';
import { decide } from '../runbook/decide.js';
import { peerURL } from '../runbook/member-names.js';
import { initContainerFailure, observeCluster, sortByOrigin } from './observe-cluster.js';

const cluster = {
  apiVersion: 'etcd.switchboard.dev/v1alpha1',
  kind: 'EtcdCluster',
  metadata: { name: 'web', namespace: 'prod', generation: 1, uid: 'u1' },
  spec: { size: 1, version: '3.6.16', storage: { type: 'Ephemeral' } },
} as unknown as EtcdCluster;

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-b2c4d',
    namespace: 'prod',
    creationTimestamp: '2026-11-28T00:00:00Z',
    labels: { 'etcd.switchboard.dev/cluster-uid': 'u1' },
  },
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
      status: () => note(endpointStatus('a1', 'c1')),
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
    // The cluster's UID label: ours (a quarantine keeps it, without the owner reference).
    metadata: {
      name,
      namespace: 'prod',
      labels: { ...memberLabels('web', name), 'etcd.switchboard.dev/cluster-uid': 'u1', ...labels },
    },
    spec: {},
  });
  // Made by this operator from the current template (member-pod.ts), so no rollout is due.
  const current: Pod = {
    ...pod,
    metadata: {
      ...pod.metadata,
      annotations: { [MEMBER_TEMPLATE_ANNOTATION]: memberTemplateHash(persistent) },
    },
  };
  const withPvcs = {
    resource: (type: { kind: string }) => ({
      listAll: () =>
        Promise.resolve({
          items:
            type.kind === 'Pod'
              ? [current]
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

  it("reads each Pod's template hash and the one the spec asks for, so an outdated Pod rolls", async () => {
    const obs = await observeCluster(withPvcs, persistent, recordingEtcd([]));
    expect(obs.pods.get('web-b2c4d')?.templateHash).toBe(memberTemplateHash(persistent));
    expect(obs.memberTemplateHash).toBe(memberTemplateHash(persistent));
    const changed = {
      ...persistent,
      spec: { ...persistent.spec, etcdOptions: { quotaBackendBytes: 2 ** 31 } },
    };
    const after = await observeCluster(withPvcs, changed, recordingEtcd([]));
    expect(decide(after, { newMemberName: () => 'web-x' })).toMatchObject({
      kind: 'RollMember',
      member: 'web-b2c4d',
      how: 'RecreatePod',
    });
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

describe('sorting Pods and PVCs by the EtcdCluster that made them', () => {
  const meta = (name: string, labels: Record<string, string>, extra: object = {}) => ({
    name,
    labels: { 'etcd.switchboard.dev/cluster': 'web', 'etcd.switchboard.dev/member': name, ...labels },
    ...extra,
  });
  const uid = (u: string) => ({ 'etcd.switchboard.dev/cluster-uid': u });
  const pvc = (m: PersistentVolumeClaim['metadata']): PersistentVolumeClaim => ({ metadata: m, spec: {} });
  const ownedBy = (u: string) => ({
    ownerReferences: [
      {
        apiVersion: 'etcd.switchboard.dev/v1alpha1',
        kind: 'EtcdCluster',
        name: 'web',
        uid: u,
        controller: true,
      },
    ],
  });

  it("keeps a deleted namesake's Pods and PVCs and our retained PVCs out of the runbook's view", () => {
    const sorted = sortByOrigin(
      [
        { ...pod, metadata: meta('web-mine', uid('u1')) },
        { ...pod, metadata: meta('web-old', {}, ownedBy('u0')) },
        { ...pod, metadata: meta('web-legacy', {}, ownedBy('u1')) },
      ],
      [
        pvc(meta('web-mine', uid('u1'))),
        pvc(meta('web-legacy', {}, ownedBy('u1'))),
        pvc(meta('web-old', uid('u0'))),
        pvc(meta('web-nolabel', {})),
        pvc(meta('web-kept', { ...uid('u1'), 'etcd.switchboard.dev/retained': 'ScaledDown' })),
        pvc(meta('web-going', uid('u1'), { deletionTimestamp: '2026-11-28T00:00:00Z' })),
      ],
      'u1',
    );
    expect(sorted.ours.pods.map((p) => p.metadata.name)).toEqual(['web-mine', 'web-legacy']);
    expect(sorted.ours.pvcs.map((p) => p.metadata.name)).toEqual(['web-mine', 'web-legacy']);
    expect([...sorted.retained]).toEqual(['web-kept']);
    expect([...sorted.foreign].sort()).toEqual(['web-nolabel', 'web-old']);
  });
});

describe('answers from another etcd cluster', () => {
  const ours = { 'etcd.switchboard.dev/cluster-uid': 'u1' };
  const podAt = (name: string, ip: string): Pod => ({
    ...pod,
    metadata: { ...pod.metadata, name, labels: ours },
    status: { ...pod.status, podIP: ip },
  });
  const listing = (pods: Pod[]) =>
    ({
      resource: (type: { kind: string }) => ({
        listAll: () => Promise.resolve({ items: type.kind === 'Pod' ? pods : [] }),
      }),
    }) as unknown as Client;
  const recorded = { ...cluster, status: { clusterID: 'c1' } } as EtcdCluster;
  const member = (name: string, id: string) => ({
    id,
    name,
    peerURLs: [peerURL('web', 'prod', name)],
    clientURLs: [],
    isLearner: false,
  });

  /** etcd whose endpoint at each IP answers as a member of `clusterId` with `members`. */
  function etcdByIP(
    answers: Record<string, { clusterId: string; members: ReturnType<typeof member>[] }>,
  ): EtcdClientFactory {
    return (endpoint) => {
      const a = answers[new URL(endpoint).hostname]!;
      return {
        endpoint,
        memberList: () => Promise.resolve({ clusterId: a.clusterId, members: a.members }),
        status: () => Promise.resolve(endpointStatus(a.members[0]?.id ?? '0', a.clusterId)),
        health: () => Promise.resolve(true),
        alarms: () => Promise.resolve([]),
      } as unknown as EtcdEndpointClient;
    };
  }

  it("never takes another cluster's member list, and reports the Pod that gave it", async () => {
    const obs = await observeCluster(
      listing([podAt('web-a', '10.0.0.1'), podAt('web-b', '10.0.0.2')]),
      recorded,
      etcdByIP({
        '10.0.0.1': { clusterId: 'c9', members: [member('web-x', 'f1')] },
        '10.0.0.2': { clusterId: 'c1', members: [member('web-a', 'a1'), member('web-b', 'b1')] },
      }),
    );
    expect(obs.membership?.clusterId).toBe('c1');
    expect(obs.foreignAnswers).toEqual([{ member: 'web-a', clusterId: 'c9' }]);
    // web-a is listed by our cluster, but its endpoint speaks for c9: not healthy, no status of it used.
    const a = obs.membership?.members.find((m) => m.memberName === 'web-a');
    expect(a).toMatchObject({ healthy: false });
    expect(a?.status).toBeUndefined();
  });

  it('has no membership when every member list is foreign, and says why', async () => {
    const obs = await observeCluster(
      listing([podAt('web-a', '10.0.0.1')]),
      recorded,
      etcdByIP({ '10.0.0.1': { clusterId: 'c9', members: [member('web-x', 'f1')] } }),
    );
    expect(obs.membership).toBeUndefined();
    expect(obs.membershipError).toContain('web-a answered with cluster ID c9, not trusted');
    expect(obs.foreignAnswers).toEqual([{ member: 'web-a', clusterId: 'c9' }]);
  });

  it("says why every member did not answer, so a learner's refusal never hides the seed's error", async () => {
    const refusing = (message: string) =>
      ({ memberList: () => Promise.reject(new Error(message)) }) as unknown as EtcdEndpointClient;
    const obs = await observeCluster(
      listing([podAt('web-a', '10.0.0.1'), podAt('web-b', '10.0.0.2')]),
      recorded,
      (endpoint) =>
        new URL(endpoint).hostname === '10.0.0.1'
          ? refusing('etcd memberList at 10.0.0.1: timed out')
          : refusing('etcd memberList at 10.0.0.2: etcdserver: rpc not supported for learner'),
    );
    expect(obs.membership).toBeUndefined();
    expect(obs.membershipError).toBe(
      'etcd memberList at 10.0.0.1: timed out; etcd memberList at 10.0.0.2: etcdserver: rpc not supported for learner',
    );
  });

  it('asks the voters before a member the last status recorded as a learner', async () => {
    const asked: string[] = [];
    const learnerFirstByName: EtcdCluster = {
      ...recorded,
      status: {
        clusterID: 'c1',
        members: [
          { name: 'web-a', id: 'a1', peerURL: '', healthy: false, learner: true, leader: false },
          { name: 'web-b', id: 'b1', peerURL: '', healthy: true, learner: false, leader: true },
        ],
      },
    };
    // Asked first, the learner's answer would be taken (a stand-in for the refusal it really gives).
    const answers = etcdByIP({
      '10.0.0.1': { clusterId: 'c1', members: [member('web-a', 'a1')] },
      '10.0.0.2': { clusterId: 'c1', members: [member('web-b', 'b1')] },
    });
    const obs = await observeCluster(
      listing([podAt('web-a', '10.0.0.1'), podAt('web-b', '10.0.0.2')]),
      learnerFirstByName,
      (endpoint) => {
        asked.push(new URL(endpoint).hostname);
        return answers(endpoint);
      },
    );
    expect(obs.membership?.members.map((m) => m.memberName)).toEqual(['web-b']);
    expect(asked[0]).toBe('10.0.0.2');
  });

  it('reports a Pod outside the member list that answers for another cluster (not a leftover of ours)', async () => {
    const obs = await observeCluster(
      listing([podAt('web-a', '10.0.0.1'), podAt('web-s', '10.0.0.9')]),
      recorded,
      etcdByIP({
        '10.0.0.1': { clusterId: 'c1', members: [member('web-a', 'a1')] },
        '10.0.0.9': { clusterId: 'c9', members: [member('web-s', 's1')] },
      }),
    );
    expect(obs.membership?.members.map((m) => m.memberName)).toEqual(['web-a']);
    expect(obs.foreignAnswers).toEqual([{ member: 'web-s', clusterId: 'c9' }]);
  });
});
