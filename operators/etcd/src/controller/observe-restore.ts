// Finds the snapshot a `spec.bootstrap.restore` cluster is seeded from: the
// named EtcdBackup (same namespace), its PVC or S3 destination, and the snapshot
// record (the named one, or the newest verified one) with its sha256. And,
// for disaster recovery when no member survives, every verified snapshot of
// a cluster among the namespace's EtcdBackups.
import type { Client } from '@switchboard/core';
import { isNotFound } from '@switchboard/core';

import { EtcdBackupResource } from '../api/backup-crd.js';
import type { EtcdBackup } from '../api/backup-types.js';
import type { EtcdCluster, EtcdRestoreSpec } from '../api/types.js';
import { backupSnapshots } from '../runbook/recover-from-backup.js';
import type { BackupSnapshot, RestoreSource } from '../runbook/restore.js';
import { snapshotLocation } from '../runbook/restore.js';

/** The restore source, or why it is not ready. */
export async function observeRestoreSource(
  client: Client,
  namespace: string,
  restore: EtcdRestoreSpec,
  signal?: AbortSignal,
): Promise<RestoreSource> {
  let backup: EtcdBackup;
  try {
    backup = await EtcdBackupResource.client(client).get(
      { namespace, name: restore.backupName },
      signal ? { signal } : {},
    );
  } catch (err) {
    if (isNotFound(err))
      return {
        ready: false,
        reason: 'BackupNotFound',
        message: `EtcdBackup ${restore.backupName} (spec.bootstrap.restore.backupName) not found in namespace ${namespace}`,
      };
    throw err;
  }
  const location = snapshotLocation(backup.spec.destination);
  if (location === undefined)
    return {
      ready: false,
      reason: 'BackupNotRestorable',
      message: `EtcdBackup ${restore.backupName} names no PVC and no S3 destination`,
    };
  const snapshots = backup.status?.snapshots ?? [];
  const record =
    restore.snapshot !== undefined
      ? snapshots.find((s) => s.name === restore.snapshot)
      : (backup.status?.lastSnapshot ?? snapshots[0]);
  if (record === undefined)
    return {
      ready: false,
      reason: 'SnapshotNotFound',
      message:
        restore.snapshot !== undefined
          ? `EtcdBackup ${restore.backupName} keeps no snapshot named ${restore.snapshot} (spec.bootstrap.restore.snapshot)`
          : `EtcdBackup ${restore.backupName} has no verified snapshot yet`,
    };
  return {
    ready: true,
    backupName: restore.backupName,
    snapshot: record.name,
    ...location,
    path: record.path,
    sha256: record.sha256,
    revision: record.revision,
  };
}

/** Verified snapshots (PVC and S3) of `cluster` among the EtcdBackups of its namespace (recover-from-backup.ts). */
export async function observeRecoveryBackups(
  client: Client,
  cluster: EtcdCluster,
  signal?: AbortSignal,
): Promise<BackupSnapshot[]> {
  const list = await EtcdBackupResource.client(client).listAll({
    namespace: cluster.metadata.namespace ?? 'default',
    ...(signal ? { signal } : {}),
  });
  return backupSnapshots(list.items, cluster.metadata.name ?? '', cluster.metadata.creationTimestamp);
}
