import type { EtcdBackup } from '../api/backup-types.js';
import {
  BACKUP_JOB_LABEL,
  BACKUP_LABEL,
  SCHEDULED_TIME_ANNOTATION,
  snapshotFileName,
  snapshotJob,
} from './snapshot-job.js';
import { TOOLS_IMAGE } from './toolbox.js';

const backup: EtcdBackup = {
  metadata: { name: 'nightly', namespace: 'prod', uid: 'uid-b' },
  spec: { clusterName: 'main', destination: { pvc: { claimName: 'backups' } } },
};
const job = snapshotJob(backup, {
  job: 'nightly-20261128-020000',
  scheduledTime: '2026-11-28T02:00:00.000Z',
  claimName: 'backups',
  folder: 'etcd/nightly',
  endpoint: 'http://10.244.1.7:2379',
  member: 'main-bbbbb',
  image: 'quay.io/coreos/etcd:v3.6.16',
  timeoutSeconds: 120,
  deleteAfter: ['nightly-20261127-020000.db'],
});
const pod = job.spec.template.spec!;
const container = pod.containers[0]!;
const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));

describe('snapshot Job', () => {
  it('runs etcdctl and etcdutl from the cluster image, with a busybox shell copied in', () => {
    expect(container.image).toBe('quay.io/coreos/etcd:v3.6.16');
    expect(pod.initContainers?.[0]?.image).toBe(TOOLS_IMAGE);
    const script = container.command?.[2] ?? '';
    expect(script).toContain('etcdctl --endpoints="$ENDPOINT"');
    expect(script).toContain('snapshot save "$FILE.part"');
    expect(script).toContain('etcdutl snapshot status "$FILE.part" -w json');
    // Verified before it gets its final name, and old ones deleted only after that.
    expect(script.indexOf('mv "$FILE.part" "$FILE"')).toBeGreaterThan(
      script.indexOf('etcdutl snapshot status'),
    );
    expect(script.indexOf('rm -f -- "$old"')).toBeGreaterThan(script.indexOf('mv "$FILE.part" "$FILE"'));
  });

  it('passes every value through the environment, never into the script text', () => {
    expect(env).toMatchObject({
      ENDPOINT: 'http://10.244.1.7:2379',
      FOLDER: 'etcd/nightly',
      FILE: snapshotFileName('nightly-20261128-020000'),
      TIMEOUT: '120s',
      DELETE_AFTER: 'nightly-20261127-020000.db',
    });
    expect(container.command?.[2]).not.toContain('10.244.1.7');
  });

  it('is owned by the backup, labelled for it, bounded in time and retries', () => {
    expect(job.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'EtcdBackup', name: 'nightly', uid: 'uid-b', controller: true }),
    ]);
    expect(job.metadata.labels?.[BACKUP_LABEL]).toBe('nightly');
    expect(job.metadata.annotations?.[SCHEDULED_TIME_ANNOTATION]).toBe('2026-11-28T02:00:00.000Z');
    expect(job.spec.template.metadata?.labels?.[BACKUP_JOB_LABEL]).toBe('nightly-20261128-020000');
    expect(job.spec).toMatchObject({ activeDeadlineSeconds: 120, backoffLimit: 2 });
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.volumes).toContainEqual({
      name: 'destination',
      persistentVolumeClaim: { claimName: 'backups' },
    });
    expect(container.terminationMessagePolicy).toBe('FallbackToLogsOnError');
  });
});

describe('snapshot Job of a cluster with client TLS', () => {
  const tlsJob = snapshotJob(backup, {
    job: 'nightly-20261128-020000',
    scheduledTime: '2026-11-28T02:00:00.000Z',
    claimName: 'backups',
    folder: 'etcd/nightly',
    endpoint: 'https://main-bbbbb.main.prod.svc:2379',
    member: 'main-bbbbb',
    clientTLSSecret: 'main-tls-operator',
    image: 'quay.io/coreos/etcd:v3.6.16',
    timeoutSeconds: 120,
    deleteAfter: [],
  });
  const tlsPod = tlsJob.spec.template.spec!;
  const c = tlsPod.containers[0]!;
  const tlsEnv = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));

  it('gives etcdctl the client certificate, key and CA (--cert, --key, --cacert) from the mounted Secret', () => {
    expect(tlsPod.volumes).toContainEqual({
      name: 'client-tls',
      secret: { secretName: 'main-tls-operator' },
    });
    expect(c.volumeMounts).toContainEqual({
      name: 'client-tls',
      mountPath: '/etc/etcd/tls/client',
      readOnly: true,
    });
    expect(tlsEnv).toMatchObject({
      ENDPOINT: 'https://main-bbbbb.main.prod.svc:2379',
      ETCDCTL_CACERT: '/etc/etcd/tls/client/ca.crt',
      ETCDCTL_CERT: '/etc/etcd/tls/client/tls.crt',
      ETCDCTL_KEY: '/etc/etcd/tls/client/tls.key',
    });
  });

  it('sets none of it for a plain-http cluster', () => {
    expect(Object.keys(env).filter((k) => k.startsWith('ETCDCTL_'))).toEqual([]);
    expect(pod.volumes?.map((v) => v.name)).not.toContain('client-tls');
  });
});
