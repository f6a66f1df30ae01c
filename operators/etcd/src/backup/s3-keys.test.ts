import { isS3SnapshotKey, partKey, s3BackupFolder, s3KeysToDelete, s3SnapshotKey } from './s3-keys.js';

const AT = new Date('2026-11-28T02:03:04.567Z');

describe('S3 snapshot keys', () => {
  it('puts each backup in a folder of its own under the prefix, however the prefix is written', () => {
    expect(s3BackupFolder('etcd', 'prod', 'nightly')).toBe('etcd/prod/nightly/');
    expect(s3BackupFolder('/etcd/backups/', 'prod', 'nightly')).toBe('etcd/backups/prod/nightly/');
    expect(s3BackupFolder(undefined, 'prod', 'nightly')).toBe('prod/nightly/');
    expect(s3BackupFolder('', 'prod', 'nightly')).toBe('prod/nightly/');
  });

  it('names the cluster and the UTC time, and knows its own keys from anything else', () => {
    const folder = 'etcd/prod/nightly/';
    const key = s3SnapshotKey(folder, 'main', AT);
    expect(key).toBe('etcd/prod/nightly/main-20261128-020304.db');
    expect(isS3SnapshotKey(key, folder, 'main')).toBe(true);
    expect(isS3SnapshotKey(partKey(key), folder, 'main')).toBe(false);
    expect(isS3SnapshotKey('etcd/prod/nightly/other-20261128-020304.db', folder, 'main')).toBe(false);
    expect(isS3SnapshotKey('etcd/prod/nightly/main-notes.txt', folder, 'main')).toBe(false);
    expect(isS3SnapshotKey('etcd/prod/nightly/sub/main-20261128-020304.db', folder, 'main')).toBe(false);
    // Regular-expression characters in names are taken literally.
    expect(isS3SnapshotKey('etcdXprod/nightly/main-20261128-020304.db', 'etcd.prod/nightly/', 'main')).toBe(
      false,
    );
  });

  it('deletes the oldest of its own snapshots beyond maxBackups, and nothing else', () => {
    const folder = 'p/ns/b/';
    const mine = ['01', '02', '03', '04'].map((d) => `${folder}main-202611${d}-000000.db`);
    const listed = [
      ...mine,
      `${folder}main-20261105-000000.db.part`,
      `${folder}README`,
      `${folder}other-20261101-000000.db`,
    ];
    const keep = `${folder}main-20261105-000000.db`;
    expect(s3KeysToDelete(listed, folder, 'main', keep, 3)).toEqual([mine[0], mine[1]]);
    expect(s3KeysToDelete([...listed, keep], folder, 'main', keep, 3)).toEqual([mine[0], mine[1]]);
    expect(s3KeysToDelete(listed, folder, 'main', keep, 10)).toEqual([]);
    // maxBackups below 1 still keeps the snapshot just taken.
    expect(s3KeysToDelete(listed, folder, 'main', keep, 0)).toEqual(mine);
  });
});
