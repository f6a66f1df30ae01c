// Retention: how many snapshots a backup keeps, and which go.
//
// Safety rules
// - Only snapshots this backup recorded in its status are ever deleted (never
//   "every file in the folder"): a folder shared with anything else loses
//   nothing it did not get from us.
// - The old snapshots are deleted by the same Job, after the new one is
//   written and verified; a failed snapshot deletes nothing.
// - Snapshot names sort in time order (they end in the UTC time they were
//   started), so "newest" is the greatest name.
import type { EtcdSnapshotRecord } from '../api/backup-types.js';

/** Newest first. */
export function newestFirst(snapshots: readonly EtcdSnapshotRecord[]): EtcdSnapshotRecord[] {
  return [...snapshots].sort((a, b) => b.name.localeCompare(a.name));
}

/** The recorded snapshots that fall out once one more (newer) snapshot is verified. */
export function snapshotsToDeleteAfterNext(
  recorded: readonly EtcdSnapshotRecord[],
  maxBackups: number,
): EtcdSnapshotRecord[] {
  return newestFirst(recorded).slice(Math.max(0, maxBackups - 1));
}

/** The list to record after `added` is verified: it and the newest others, `maxBackups` in all. */
export function keptSnapshots(
  recorded: readonly EtcdSnapshotRecord[],
  added: EtcdSnapshotRecord,
  maxBackups: number,
): EtcdSnapshotRecord[] {
  const others = recorded.filter((s) => s.name !== added.name);
  return newestFirst([added, ...others]).slice(0, Math.max(1, maxBackups));
}
