import type { V1Container } from '@kubernetes/client-node';

import type { EtcdCluster } from '../api/types.js';
import { RESTORE_REVISION_BUMP } from '../runbook/restore.js';
import { DEFAULT_TOOLBOX_IMAGE, memberPod } from './member-pod.js';

const cluster: EtcdCluster = {
  metadata: { name: 'copy', namespace: 'prod', uid: 'uid-new' },
  spec: {
    size: 3,
    version: '3.6.16',
    storage: { type: 'PersistentVolume', size: '1Gi' },
    bootstrap: { restore: { backupName: 'nightly' } },
  },
};
const from = {
  backupName: 'nightly',
  snapshot: 'nightly-20261128-020000.db',
  claimName: 'backups',
  path: 'nightly/nightly-20261128-020000.db',
  sha256: 'c'.repeat(64),
  revision: 42,
};

describe('restored seed member Pod', () => {
  const pod = memberPod(cluster, 'copy-aaaaa', {
    state: 'new',
    initialCluster: ['copy-aaaaa=http://copy-aaaaa.copy.prod.svc:2380'],
    restore: from,
  });
  const restore = pod.spec.initContainers?.find((c) => c.name === 'restore');
  const env = Object.fromEntries((restore?.env ?? []).map((e) => [e.name, e.value]));

  it('restores with etcdutl into the data folder etcd runs on, with a new token and a bumped, compacted revision', () => {
    expect(restore?.image).toBe('quay.io/coreos/etcd:v3.6.16');
    const script = restore?.command?.[2] ?? '';
    expect(script).toContain('etcdutl snapshot restore');
    expect(script).toContain('--bump-revision "$BUMP" --mark-compacted');
    expect(env).toMatchObject({
      SNAPSHOT_PATH: from.path,
      SHA256: from.sha256,
      MEMBER: 'copy-aaaaa',
      TOKEN: 'uid-new',
      PEER_URL: 'http://copy-aaaaa.copy.prod.svc:2380',
      INITIAL_CLUSTER: 'copy-aaaaa=http://copy-aaaaa.copy.prod.svc:2380',
      DATA_DIR: '/var/lib/etcd/data',
      BUMP: String(RESTORE_REVISION_BUMP),
    });
    expect(pod.spec.containers[0]?.args).toContain('--data-dir=/var/lib/etcd/data');
  });

  it('checks the sha256 first, skips when data exists, and renames a complete restore into place', () => {
    const script = restore?.command?.[2] ?? '';
    expect(script.indexOf('sha256sum -c')).toBeLessThan(script.indexOf('etcdutl snapshot restore'));
    expect(script).toContain('if [ -d "$DATA_DIR" ]');
    expect(script).toContain('mv "$DATA_DIR.restore" "$DATA_DIR"');
  });

  it('mounts the backup PVC read-only', () => {
    expect(pod.spec.volumes).toContainEqual({
      name: 'restore-source',
      persistentVolumeClaim: { claimName: 'backups', readOnly: true },
    });
  });

  it('uses the token a disaster recovery gives it, for the restore and the etcd flags alike', () => {
    const recovered = memberPod(cluster, 'copy-ccccc', {
      state: 'new',
      initialCluster: ['copy-ccccc=http://copy-ccccc.copy.prod.svc:2380'],
      restore: { ...from, token: 'uid-new-copy-ccccc' },
    });
    const tokenEnv = recovered.spec.initContainers
      ?.find((c) => c.name === 'restore')
      ?.env?.find((e) => e.name === 'TOKEN');
    expect(tokenEnv?.value).toBe('uid-new-copy-ccccc');
    expect(recovered.spec.containers[0]?.args).toContain('--initial-cluster-token=uid-new-copy-ccccc');
  });

  it('adds nothing to members that are not restored', () => {
    const plain = memberPod(cluster, 'copy-bbbbb', { state: 'existing', initialCluster: [] });
    expect(plain.spec.initContainers).toBeUndefined();
    expect(plain.spec.volumes).toHaveLength(1);
  });
});

describe('seed member Pod restored from an S3 backup', () => {
  const fromS3 = {
    backupName: 'offsite',
    snapshot: 'copy-20261128-020000.db',
    s3: {
      endpoint: 'http://objects.storage.svc:8333',
      bucket: 'etcd-backups',
      region: 'eu-west-1',
      forcePathStyle: true,
      credentialsSecret: 'offsite-credentials',
    },
    path: 'team/prod/offsite/copy-20261128-020000.db',
    sha256: 'd'.repeat(64),
    revision: 77,
  };
  const boot = {
    state: 'new' as const,
    initialCluster: ['copy-aaaaa=http://copy-aaaaa.copy.prod.svc:2380'],
    restore: fromS3,
  };
  const pod = memberPod(cluster, 'copy-aaaaa', boot);
  const inits = pod.spec.initContainers ?? [];
  const fetch = inits.find((c) => c.name === 'fetch-snapshot');
  const restore = inits.find((c) => c.name === 'restore');
  const env = (c: typeof fetch) => Object.fromEntries((c?.env ?? []).map((e) => [e.name, e]));

  it('downloads with the operator image before the restore, then restores with etcdutl from the downloaded file', () => {
    expect(inits.map((c) => c.name)).toEqual(['tools', 'fetch-snapshot', 'restore']);
    expect(fetch?.image).toBe(DEFAULT_TOOLBOX_IMAGE);
    expect(fetch?.args).toEqual(['fetch-snapshot']);
    expect(fetch?.command).toBeUndefined();
    // The restore runs the etcd image the member runs.
    expect(restore?.image).toBe(pod.spec.containers[0]?.image);
    const r = env(restore);
    expect(`${r.SOURCE_MOUNT?.value}/${r.SNAPSHOT_PATH?.value}`).toBe(env(fetch).SNAPSHOT_FILE?.value);
    expect(r.SHA256?.value).toBe(fromS3.sha256);
    expect(r.TOKEN?.value).toBe('uid-new');
    expect(restore?.command?.[2]).toContain('--bump-revision "$BUMP" --mark-compacted');
  });

  it('passes the object, its endpoint and the recorded sha256 as plain values', () => {
    const f = env(fetch);
    expect(f.SNAPSHOT_S3_ENDPOINT?.value).toBe(fromS3.s3.endpoint);
    expect(f.SNAPSHOT_S3_BUCKET?.value).toBe('etcd-backups');
    expect(f.SNAPSHOT_S3_REGION?.value).toBe('eu-west-1');
    expect(f.SNAPSHOT_S3_FORCE_PATH_STYLE?.value).toBe('true');
    expect(f.SNAPSHOT_S3_KEY?.value).toBe(fromS3.path);
    expect(f.SNAPSHOT_SHA256?.value).toBe(fromS3.sha256);
    // A restarted seed with its data restored downloads nothing.
    expect(f.SNAPSHOT_SKIP_IF_EXISTS?.value).toBe('/var/lib/etcd/data');
    expect(fetch?.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/etcd', readOnly: true });
  });

  it('takes the credentials from the backup Secret through secretKeyRef, never as values', () => {
    const f = env(fetch);
    expect(f.AWS_ACCESS_KEY_ID).toEqual({
      name: 'AWS_ACCESS_KEY_ID',
      valueFrom: { secretKeyRef: { name: 'offsite-credentials', key: 'accessKeyID' } },
    });
    expect(f.AWS_SECRET_ACCESS_KEY).toEqual({
      name: 'AWS_SECRET_ACCESS_KEY',
      valueFrom: { secretKeyRef: { name: 'offsite-credentials', key: 'secretAccessKey' } },
    });
    expect(f.AWS_SESSION_TOKEN?.valueFrom?.secretKeyRef).toEqual({
      name: 'offsite-credentials',
      key: 'sessionToken',
      optional: true,
    });
    for (const c of [...inits, ...pod.spec.containers])
      for (const e of c.env ?? []) if (e.name.startsWith('AWS_')) expect(e.value).toBeUndefined();
    expect(pod.spec.volumes?.some((v) => v.secret !== undefined)).toBe(false);
  });

  it('mounts no backup PVC', () => {
    expect(pod.spec.volumes?.map((v) => v.name)).toEqual(['data', 'tools']);
    expect(restore?.volumeMounts?.map((m) => m.name)).toEqual(['data', 'tools']);
  });

  it('runs the toolbox image it is given', () => {
    const other = memberPod(cluster, 'copy-aaaaa', { ...boot, toolboxImage: 'example/etcd-operator:1.2.3' });
    expect(other.spec.initContainers?.find((c) => c.name === 'fetch-snapshot')?.image).toBe(
      'example/etcd-operator:1.2.3',
    );
  });

  it("seeds a disaster recovery from S3 exactly as a bootstrap restore, with the recovery's token", () => {
    // What recover-from-backup.ts gives CreateSeed from an S3 record: the location as recorded, a new token.
    const recovered = memberPod(cluster, 'copy-aaaaa', {
      ...boot,
      restore: { ...fromS3, token: 'uid-new-copy-aaaaa' },
    });
    const withoutToken = (c: V1Container): V1Container => ({
      ...c,
      env: c.env?.filter((e) => e.name !== 'TOKEN'),
    });
    const recoveredInits = recovered.spec.initContainers ?? [];
    expect(recoveredInits.map((c) => c.name)).toEqual(['tools', 'fetch-snapshot', 'restore']);
    expect(recoveredInits.map(withoutToken)).toEqual(inits.map(withoutToken));
    expect(recovered.spec.volumes).toEqual(pod.spec.volumes);
    expect(env(recoveredInits.find((c) => c.name === 'restore')).TOKEN?.value).toBe('uid-new-copy-aaaaa');
    expect(recovered.spec.containers[0]?.args).toContain('--initial-cluster-token=uid-new-copy-aaaaa');
  });

  it('leaves a PVC restore without a download', () => {
    const pvc = memberPod(cluster, 'copy-aaaaa', { ...boot, restore: from });
    expect(pvc.spec.initContainers?.map((c) => c.name)).toEqual(['tools', 'restore']);
  });
});
