import type { EtcdCluster } from '../api/types.js';
import { etcdImage, memberPod, memberPvc, versionOfImage } from './member-pod.js';
import { peerService, quorumBudget } from './services.js';

const cluster: EtcdCluster = {
  apiVersion: 'etcd.switchboard.dev/v1alpha1',
  kind: 'EtcdCluster',
  metadata: { name: 'demo', namespace: 'prod', uid: 'uid-1', generation: 1 },
  spec: {
    size: 3,
    version: '3.5.35',
    storage: { type: 'PersistentVolume', size: '2Gi' },
    etcdOptions: { quotaBackendBytes: 1024 },
  },
};

describe('member Pod', () => {
  const pod = memberPod(cluster, 'demo-abcde', {
    state: 'existing',
    initialCluster: ['demo-a=http://a', 'demo-abcde=http://me'],
  });
  const args = pod.spec.containers[0]!.args!;

  it('names itself by its peer DNS name under the headless Service', () => {
    expect(pod.spec).toMatchObject({ hostname: 'demo-abcde', subdomain: 'demo' });
    expect(args).toContain('--initial-advertise-peer-urls=http://demo-abcde.demo.prod.svc:2380');
    expect(args).toContain('--initial-cluster=demo-a=http://a,demo-abcde=http://me');
    expect(args).toContain('--initial-cluster-state=existing');
    expect(args).toContain('--initial-cluster-token=uid-1');
    expect(args).toContain('--quota-backend-bytes=1024');
  });

  it('is probed by etcd: ready with a leader (/readyz), alive without one (/livez)', () => {
    const c = pod.spec.containers[0]!;
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 2381 });
    // A member that lost quorum must not be restarted: /livez needs no leader.
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/livez', port: 2381 });
  });

  it('runs the image of spec.version on its own PVC, owned by the cluster', () => {
    expect(pod.spec.containers[0]!.image).toBe('quay.io/coreos/etcd:v3.5.35');
    expect(pod.spec.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'demo-abcde' } }]);
    expect(pod.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'EtcdCluster', name: 'demo', uid: 'uid-1', controller: true }),
    ]);
    expect(memberPvc(cluster, 'demo-abcde').spec.resources?.requests).toEqual({ storage: '2Gi' });
  });

  it('prefers spreading members over nodes by default', () => {
    const preferred = pod.spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    expect(preferred?.[0]?.podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    const none = memberPod({ ...cluster, spec: { ...cluster.spec, antiAffinity: 'None' } }, 'x', {
      state: 'new',
      initialCluster: [],
    });
    expect(none.spec.affinity).toBeUndefined();
  });

  it('uses an emptyDir for ephemeral storage', () => {
    const eph = memberPod({ ...cluster, spec: { ...cluster.spec, storage: { type: 'Ephemeral' } } }, 'x', {
      state: 'new',
      initialCluster: [],
    });
    expect(eph.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
  });

  it('reads the version back from an image reference', () => {
    expect(versionOfImage(etcdImage(cluster, '3.6.16'))).toBe('3.6.16');
    expect(versionOfImage('registry.local:5000/etcd:v3.5.35')).toBe('3.5.35');
    expect(versionOfImage('etcd:latest')).toBeUndefined();
  });
});

describe('cluster Services and PDB', () => {
  it('publishes not-ready peers (members must resolve each other before they are ready)', () => {
    expect(peerService(cluster).spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
  });

  it('keeps a quorum available through voluntary disruptions', () => {
    expect(quorumBudget(cluster).spec.minAvailable).toBe(2);
  });
});
