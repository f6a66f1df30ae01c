import type { V1Pod } from '@kubernetes/client-node';

import {
  ImagePullError,
  imagePullFailure,
  leaseHandoverBoundMs,
  managerProblems,
  metricValue,
  podStartToReady,
  wildcardRules,
} from './deployed-operator.js';
import type { RenderedObject } from './deployed-operator.js';

describe('metricValue', () => {
  const text = [
    '# HELP controller_runtime_reconcile_total Total number of reconciliations per controller',
    '# TYPE controller_runtime_reconcile_total counter',
    'controller_runtime_reconcile_total{controller="etcdcluster",result="success"} 12',
    'controller_runtime_reconcile_total{controller="etcdcluster",result="requeue_after"} 5',
    'controller_runtime_reconcile_total{controller="other",result="success"} 100',
    'leader_election_master_status{name="etcd-operator-leader"} 1',
    'process_resident_memory_bytes 73400320',
  ].join('\n');

  it('sums the samples whose labels include the ones asked for', () => {
    expect(metricValue(text, 'controller_runtime_reconcile_total', { controller: 'etcdcluster' })).toBe(17);
    expect(
      metricValue(text, 'controller_runtime_reconcile_total', {
        controller: 'etcdcluster',
        result: 'success',
      }),
    ).toBe(12);
    expect(metricValue(text, 'leader_election_master_status', { name: 'etcd-operator-leader' })).toBe(1);
  });
  it('reads samples without labels, and is 0 for what is absent', () => {
    expect(metricValue(text, 'process_resident_memory_bytes')).toBe(73400320);
    expect(metricValue(text, 'controller_runtime_reconcile_total', { controller: 'none' })).toBe(0);
    expect(metricValue('', 'process_resident_memory_bytes')).toBe(0);
  });
});

describe('podStartToReady', () => {
  it('measures creation and container start to the Ready transition', () => {
    const pod = {
      metadata: { creationTimestamp: new Date('2026-11-28T02:00:00Z') },
      status: {
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date('2026-11-28T02:00:09Z') }],
        containerStatuses: [{ state: { running: { startedAt: new Date('2026-11-28T02:00:04Z') } } }],
      },
    } as unknown as V1Pod;
    expect(podStartToReady(pod)).toEqual({ createdToReadyS: 9, startedToReadyS: 5 });
  });
  it('is undefined for a Pod not Ready yet', () => {
    expect(podStartToReady({ metadata: {}, status: { conditions: [] } })).toBeUndefined();
  });
});

describe('managerProblems', () => {
  const objects = (container: Record<string, unknown>): RenderedObject[] => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'op-system' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'op', namespace: 'op-system' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'op', namespace: 'op-system' },
      spec: {
        template: { spec: { serviceAccountName: 'op', containers: [{ name: 'manager', ...container }] } },
      },
    },
  ];
  const hardened = {
    args: ['--leader-elect'],
    livenessProbe: { httpGet: { path: '/healthz' } },
    readinessProbe: { httpGet: { path: '/readyz' } },
    resources: { requests: { cpu: '50m', memory: '96Mi' } },
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
  };

  it('finds nothing wrong with a hardened, probed, leader-elected manager', () => {
    expect(managerProblems(objects(hardened), 'op')).toEqual([]);
  });
  it('names every missing piece of a bare one', () => {
    expect(managerProblems(objects({}), 'op')).toEqual([
      'manager: runAsNonRoot not set',
      'manager: allowPrivilegeEscalation not false',
      'manager: root file system not read-only',
      'manager: capabilities not dropped',
      'manager: no cpu request',
      'manager: no memory request',
      'manager: liveness probe not on /healthz',
      'manager: readiness probe not on /readyz',
      'manager: leader election off',
    ]);
    expect(managerProblems(objects(hardened).slice(1), 'op')).toEqual(['namespace op-system is not created']);
    expect(managerProblems([], 'op')).toEqual(['no Deployment op']);
  });
});

describe('leaseHandoverBoundMs', () => {
  it('allows the lease duration and two jittered retry periods, plus slack', () => {
    expect(leaseHandoverBoundMs(15)).toBe(15_000 + 4_800 + 3_000);
    expect(leaseHandoverBoundMs(15, 1000, 0)).toBe(17_400);
  });
});

describe('wildcardRules', () => {
  const role = (kind: string, rules: object[]) => ({ kind, metadata: { name: 'r' }, rules });
  it('names each rule of a Role or ClusterRole with a wildcard group, resource or verb', () => {
    expect(
      wildcardRules([
        role('ClusterRole', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]),
        role('Role', [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }]),
        role('ConfigMap', [{ verbs: ['*'] }]),
      ] as never),
    ).toEqual(['r: wildcard in {"apiGroups":[""],"resources":["*"],"verbs":["get"]}']);
  });
});

describe('imagePullFailure', () => {
  const pod = (reason: string, message: string, init = false): V1Pod => {
    const status = [
      {
        name: 'c',
        image: 'etcd-operator:dev',
        ready: false,
        restartCount: 0,
        state: { waiting: { reason, message } },
      },
    ];
    return { status: init ? { initContainerStatuses: status } : { containerStatuses: status } } as V1Pod;
  };

  it('names the image of a container in image pull back-off', () => {
    expect(imagePullFailure(pod('ImagePullBackOff', 'Back-off pulling image "etcd-operator:dev"'))).toEqual({
      image: 'etcd-operator:dev',
      message: 'ImagePullBackOff: Back-off pulling image "etcd-operator:dev"',
    });
  });
  it('takes a first failed pull only when the registry says the image is not there', () => {
    expect(imagePullFailure(pod('ErrImagePull', 'rpc error: manifest unknown'))?.image).toBe(
      'etcd-operator:dev',
    );
    expect(imagePullFailure(pod('ErrImagePull', 'dial tcp: i/o timeout'))).toBeUndefined();
  });
  it('looks at init containers too, and ignores a container merely starting', () => {
    expect(imagePullFailure(pod('ImagePullBackOff', 'x', true))?.image).toBe('etcd-operator:dev');
    expect(imagePullFailure(pod('ContainerCreating', ''))).toBeUndefined();
  });
  it('says what to run in the error', () => {
    const err = new ImagePullError('etcd-operator', {
      image: 'etcd-operator:dev',
      message: 'ImagePullBackOff',
    });
    expect(err.message).toMatch(/etcd-operator:dev cannot be pulled .*switchboard image build/);
  });
});
