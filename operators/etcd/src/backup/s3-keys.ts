// Where S3 snapshots of a backup live, and which of them retention deletes.
//
// Every snapshot of one EtcdBackup goes into a folder of its own under the
// destination prefix, `<prefix>/<namespace>/<backup>/`, named for the
// cluster and the scheduled time: `<cluster>-<yyyymmdd>-<hhmmss>.db` (UTC).
// Names sort in time order, so the oldest are the smallest.
//
// Safety rules
// - Retention lists only this backup's folder and deletes only objects whose
//   names have exactly this backup's snapshot shape; anything else a person
//   put there is left alone.
// - An upload goes to `<key>.part` first and becomes `<key>` with a
//   server-side copy that also sets its sha256 metadata, so an object under a
//   snapshot name is always complete; a `.part` left by an interrupted upload
//   is deleted by the next attempt, never counted.

/** The S3 folder (ending in `/`) of one backup's snapshots under `prefix`. */
export function s3BackupFolder(prefix: string | undefined, namespace: string, backup: string): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return `${trimmed === '' ? '' : `${trimmed}/`}${namespace}/${backup}/`;
}

/** The UTC stamp of a scheduled time: `yyyymmdd-hhmmss`. */
function stamp(scheduled: Date): string {
  const iso = scheduled.toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

/** The snapshot's object name (inside the folder) for a scheduled time. */
export function s3SnapshotName(cluster: string, scheduled: Date): string {
  return `${cluster}-${stamp(scheduled)}.db`;
}

/** The full object key of a snapshot. */
export function s3SnapshotKey(folder: string, cluster: string, scheduled: Date): string {
  return `${folder}${s3SnapshotName(cluster, scheduled)}`;
}

/** The key an upload writes before it is complete and verified. */
export function partKey(key: string): string {
  return `${key}.part`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True for a key in `folder` that is one of this cluster's snapshots (not a `.part`). */
export function isS3SnapshotKey(key: string, folder: string, cluster: string): boolean {
  return new RegExp(`^${escapeRegExp(folder)}${escapeRegExp(cluster)}-\\d{8}-\\d{6}\\.db$`).test(key);
}

/**
 * The snapshot keys listed in the folder that fall out once `keep` is
 * counted: all but the newest `maxBackups`, oldest first. `keep` (the
 * snapshot just verified) is always kept, listed or not.
 */
export function s3KeysToDelete(
  listed: readonly string[],
  folder: string,
  cluster: string,
  keep: string,
  maxBackups: number,
): string[] {
  const snapshots = [...new Set([...listed.filter((k) => isS3SnapshotKey(k, folder, cluster)), keep])].sort();
  const excess = snapshots.length - Math.max(1, maxBackups);
  return snapshots.filter((k) => k !== keep).slice(0, Math.max(0, excess));
}
