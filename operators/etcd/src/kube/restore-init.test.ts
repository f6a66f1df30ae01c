import type { EtcdCluster } from '../api/types.js';
import { RESTORE_REVISION_BUMP } from '../runbook/restore.js';
import { memberPod } from './member-pod.js';

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
