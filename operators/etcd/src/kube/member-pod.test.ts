import type { EtcdCluster } from '../api/types.js';
import { DEFRAGMENT_TIMEOUT_MS } from '../etcd/etcd-client.js';
import { etcdImage, livenessToleranceSeconds, memberPod, memberPvc, versionOfImage } from './member-pod.js';
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

  it("outlasts the operator's defragmentation timeout with its liveness probe (a defragmentation blocks /livez)", () => {
    const probe = pod.spec.containers[0]!.livenessProbe!;
    const tolerated = livenessToleranceSeconds({
      periodSeconds: probe.periodSeconds!,
      timeoutSeconds: probe.timeoutSeconds!,
      failureThreshold: probe.failureThreshold!,
    });
    expect(tolerated).toBeGreaterThan(DEFRAGMENT_TIMEOUT_MS / 1000);
    expect(tolerated).toBe(155);
  });

  it('runs the image of spec.version on its own PVC, owned by the cluster', () => {
    expect(pod.spec.containers[0]!.image).toBe('quay.io/coreos/etcd:v3.5.35');
    expect(pod.spec.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'demo-abcde' } }]);
    expect(pod.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'EtcdCluster', name: 'demo', uid: 'uid-1', controller: true }),
    ]);
    expect(memberPvc(cluster, 'demo-abcde').spec.resources?.requests).toEqual({ storage: '2Gi' });
  });

  it('labels its PVC with the cluster UID, owned by the cluster only under whenDeleted Delete', () => {
    const retained = memberPvc(cluster, 'demo-abcde');
    expect(retained.metadata.labels).toMatchObject({
      'etcd.switchboard.dev/cluster': 'demo',
      'etcd.switchboard.dev/member': 'demo-abcde',
      'etcd.switchboard.dev/cluster-uid': 'uid-1',
    });
    expect(retained.metadata.ownerReferences).toBeUndefined();
    const deleted = memberPvc(
      {
        ...cluster,
        spec: { ...cluster.spec, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } },
      },
      'demo-abcde',
    );
    expect(deleted.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'EtcdCluster', uid: 'uid-1', controller: true }),
    ]);
    expect(pod.metadata.labels?.['etcd.switchboard.dev/cluster-uid']).toBe('uid-1');
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

describe('member Pod of a TLS cluster', () => {
  const tlsCluster: EtcdCluster = {
    ...cluster,
    spec: { ...cluster.spec, tls: { client: { generate: true }, peer: { secretName: 'my-peer' } } },
  };
  const pod = memberPod(tlsCluster, 'demo-abcde', {
    state: 'new',
    initialCluster: ['demo-abcde=https://me'],
  });
  const c = pod.spec.containers[0]!;

  it('serves clients and peers over https, requiring certificates from the trusted CAs', () => {
    expect(c.args).toEqual(
      expect.arrayContaining([
        '--listen-client-urls=https://0.0.0.0:2379',
        '--advertise-client-urls=https://demo-abcde.demo.prod.svc:2379',
        '--listen-peer-urls=https://0.0.0.0:2380',
        '--initial-advertise-peer-urls=https://demo-abcde.demo.prod.svc:2380',
        '--cert-file=/etc/etcd/tls/client/tls.crt',
        '--key-file=/etc/etcd/tls/client/tls.key',
        '--trusted-ca-file=/etc/etcd/tls/client/ca.crt',
        '--client-cert-auth=true',
        '--peer-cert-file=/etc/etcd/tls/peer/tls.crt',
        '--peer-key-file=/etc/etcd/tls/peer/tls.key',
        '--peer-trusted-ca-file=/etc/etcd/tls/peer/ca.crt',
        '--peer-client-cert-auth=true',
        // spec.version 3.5.35: the 3.5 name of the flag
        '--experimental-peer-skip-client-san-verification=true',
      ]),
    );
    const v36 = memberPod({ ...tlsCluster, spec: { ...tlsCluster.spec, version: '3.6.16' } }, 'demo-abcde', {
      state: 'new',
      initialCluster: [],
    });
    expect(v36.spec.containers[0]!.args).toContain('--peer-skip-client-san-verification=true');
    // Probes stay on the plain-http metrics listener, which needs no client certificate.
    expect(c.args).toContain('--listen-metrics-urls=http://0.0.0.0:2381');
    expect(c.readinessProbe?.httpGet?.port).toBe(2381);
  });

  it('mounts the generated server Secret and the named peer Secret read-only', () => {
    expect(pod.spec.volumes).toEqual(
      expect.arrayContaining([
        { name: 'tls-client', secret: { secretName: 'demo-tls-server' } },
        { name: 'tls-peer', secret: { secretName: 'my-peer' } },
      ]),
    );
    expect(c.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'tls-client', mountPath: '/etc/etcd/tls/client', readOnly: true },
        { name: 'tls-peer', mountPath: '/etc/etcd/tls/peer', readOnly: true },
      ]),
    );
  });

  it('keeps plain http and no TLS volumes for a cluster without spec.tls', () => {
    const plain = memberPod(cluster, 'demo-abcde', { state: 'new', initialCluster: [] }).spec;
    expect(plain.containers[0]!.args).toContain('--listen-client-urls=http://0.0.0.0:2379');
    expect(plain.containers[0]!.args!.some((a) => a.includes('cert'))).toBe(false);
    expect(plain.volumes!.map((v) => v.name)).toEqual(['data']);
  });
});

describe('cluster Services and PDB', () => {
  it('publishes not-ready peers (members must resolve each other before they are ready)', () => {
    expect(peerService(cluster).spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
  });

  it('keeps the given number of member Pods available, selecting every member Pod', () => {
    const budget = quorumBudget(cluster, 3);
    expect(budget.spec.minAvailable).toBe(3);
    expect(budget.spec.selector?.matchLabels).toEqual(peerService(cluster).spec.selector);
  });
});
