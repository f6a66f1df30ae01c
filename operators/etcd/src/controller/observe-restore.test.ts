import type { Client } from '@switchboard/core';

import type { EtcdBackup } from '../api/backup-types.js';
import { describeRestore } from '../runbook/restore.js';
import { observeRestoreSource } from './observe-restore.js';

const record = {
  name: 'main-20261128-020000.db',
  path: 'prod/team/offsite/main-20261128-020000.db',
  sha256: 'a'.repeat(64),
  revision: 1234,
  size: 4096,
  etcdVersion: '3.6.16',
  completionTime: '2026-11-28T02:00:05Z',
};

/** A client whose only object is `backup`. */
function clientWith(backup: EtcdBackup): Client {
  return {
    resource: () => ({
      get: ({ name }: { name: string }) =>
        name === backup.metadata.name ? Promise.resolve(backup) : Promise.reject(new Error('unexpected get')),
    }),
  } as unknown as Client;
}

function backupTo(destination: EtcdBackup['spec']['destination']): EtcdBackup {
  return {
    metadata: { name: 'offsite', namespace: 'team' },
    spec: { clusterName: 'main', destination },
    status: { lastSnapshot: record, snapshots: [record] },
  };
}

describe('the restore source of an S3 backup', () => {
  it('is ready with the bucket, the Secret name, the object key and the recorded sha256', async () => {
    const backup = backupTo({
      s3: {
        endpoint: 'http://objects.storage.svc:8333',
        bucket: 'etcd',
        prefix: 'prod',
        region: 'eu-west-1',
        forcePathStyle: true,
        credentialsSecret: { name: 'offsite-s3' },
      },
    });
    const source = await observeRestoreSource(clientWith(backup), 'team', { backupName: 'offsite' });
    expect(source).toEqual({
      ready: true,
      backupName: 'offsite',
      snapshot: record.name,
      s3: {
        endpoint: 'http://objects.storage.svc:8333',
        bucket: 'etcd',
        region: 'eu-west-1',
        forcePathStyle: true,
        credentialsSecret: 'offsite-s3',
      },
      path: record.path,
      sha256: record.sha256,
      revision: 1234,
    });
    if (source.ready)
      expect(describeRestore(source)).toBe(
        `restored from snapshot ${record.path} (S3 bucket etcd at http://objects.storage.svc:8333) of EtcdBackup offsite (revision 1234, moved up by 1000000000)`,
      );
  });

  it('still names the PVC of a PVC backup, and no bucket', async () => {
    const source = await observeRestoreSource(
      clientWith(backupTo({ pvc: { claimName: 'backups' } })),
      'team',
      { backupName: 'offsite' },
    );
    expect(source).toMatchObject({ ready: true, claimName: 'backups' });
    expect(source).not.toHaveProperty('s3');
  });

  it('waits for an S3 backup with no verified snapshot yet', async () => {
    const backup = backupTo({
      s3: { endpoint: 'http://o:1', bucket: 'etcd', credentialsSecret: { name: 's' } },
    });
    delete backup.status;
    expect(await observeRestoreSource(clientWith(backup), 'team', { backupName: 'offsite' })).toEqual({
      ready: false,
      reason: 'SnapshotNotFound',
      message: 'EtcdBackup offsite has no verified snapshot yet',
    });
  });
});
