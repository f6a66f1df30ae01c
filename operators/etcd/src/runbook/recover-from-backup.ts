// Disaster recovery when no member survives: the cluster is rebuilt from the
// newest verified snapshot of its EtcdBackups, as a new one-member cluster
// seeded like a restore (restore.ts), then grown back with learners.
//
// When no member survives (the precise rule, checked past the wait bound)
// A member's data may still exist, and the operator then never restores from
// a backup, while any one of these holds:
// - it answers its own status with the cluster's ID (status.clusterID);
// - persistent storage: its PVC exists and is not being deleted (a member
//   whose Pod is gone, crash-looping or on an unreachable node may come back
//   with its data); a PVC being deleted counts as gone;
// - ephemeral storage: its Pod exists and is not being deleted.
// A member that answers with another cluster's ID (it started on empty data
// and formed a cluster of its own) holds none of this cluster's data, PVC or
// not. So: every member's Pods and PVCs deleted, PVCs recreated empty and
// then deleted, members answering as strangers, all count as "no member
// survives"; members that merely do not answer while their PVCs exist do
// not, and recovery waits (reason NoSurvivor) naming them: deleting their
// PVCs is how a person says their data is gone for good.
//
// Preconditions
// - Opted in (recover.ts: `spec.recovery: auto`, or the annotation), the
//   cluster was created (a clusterID is recorded), and no member could give a
//   quorum-confirmed member list for `spec.recoveryDelaySeconds`.
// - No member survives (above), and an EtcdBackup of this cluster (same
//   namespace, `spec.clusterName` this cluster) holds a verified snapshot on a
//   PVC or in S3, started after this EtcdCluster was created (a namesake's
//   backups do not count, even one that finished after). PVC and S3 backups
//   are weighed by the same rule. Without one: Degraded (reason
//   NoSurvivorNoBackup), a Warning Event, and nothing is deleted.
//
// Safety rules
// - The newest snapshot (when its data was read: start time, then revision)
//   is chosen, and the choice (backup, snapshot, where it is: the PVC, or the
//   S3 endpoint, bucket, region, path style and credentials Secret name; path
//   or key, sha256, revision, the new seed's name and the old cluster ID) is
//   written to status.recovery before anything is changed; every later pass
//   follows that record, never a new choice, and never re-reads the backup's
//   spec (an EtcdBackup deleted or changed meanwhile changes nothing).
// - Steps, each safe to repeat: (1) delete every remaining member Pod and
//   quarantine every remaining member PVC (quarantine.ts: kept aside, never
//   deleted or reused; phase Clearing; the Warning Event says that data
//   written after the snapshot's revision is lost); (2) once they are gone, create the seed
//   with the restore init containers exactly as restore.ts does (phase
//   Seeding): from S3 the object is downloaded first by the fetch-snapshot
//   init container (credentials by secretKeyRef), then sha256 checked,
//   `etcdutl snapshot restore` with a new cluster token, revision bumped and
//   compacted, skipped when the data folder exists; (3) as soon as the seed
//   answers with a quorum the record is cleared (and the annotation removed),
//   and scale-up.ts adds learners up to spec.size.
// - The seed is a new member (new name, so new peer URL, member ID and
//   cluster ID): no old member could ever rejoin it. status.clusterID becomes
//   the new cluster's ID once the seed answers.
import type { EtcdBackupRecoveryStatus, EtcdSnapshotSource } from '../api/types.js';
import type { EtcdBackup } from '../api/backup-types.js';
import type { ClusterObservation } from './observation.js';
import { isPersistent } from './observation.js';
import { recoveryId } from './quarantine.js';
import { freshMemberName } from './retention.js';
import type { BackupSnapshot, RestoreFrom } from './restore.js';
import { describeLocation, snapshotLocation } from './restore.js';
import type { Step } from './step.js';

/** Names of members whose data may still exist (see the rule above), sorted. */
export function membersWithData(obs: ClusterObservation): string[] {
  const clusterId = obs.previousStatus.clusterID;
  const answers = new Map((obs.survivors ?? []).map((s) => [s.memberName, s]));
  const stranger = (name: string): boolean => {
    const id = answers.get(name)?.clusterId;
    return id !== undefined && id !== clusterId;
  };
  const names = new Set([...answers.keys()].filter((n) => !stranger(n)));
  if (isPersistent(obs)) {
    for (const pvc of obs.pvcs) if (!stranger(pvc)) names.add(pvc);
  } else {
    for (const [name, pod] of obs.pods) if (!pod.terminating && !stranger(name)) names.add(name);
  }
  return [...names].sort();
}

/**
 * Verified snapshots of cluster `clusterName` among `backups`, on a PVC or in
 * S3 alike, taken (started) no earlier than `createdAt` (the EtcdCluster's
 * creation; older ones are of a namesake).
 */
export function backupSnapshots(
  backups: readonly EtcdBackup[],
  clusterName: string,
  createdAt?: string,
): BackupSnapshot[] {
  const since = createdAt ? Date.parse(createdAt) : Number.NEGATIVE_INFINITY;
  return backups.flatMap((b) => {
    const location = snapshotLocation(b.spec.destination);
    if (b.spec.clusterName !== clusterName || location === undefined) return [];
    return (b.status?.snapshots ?? [])
      .map((s) => ({ s, takenAt: s.startTime ?? s.completionTime }))
      .filter(({ takenAt }) => Date.parse(takenAt) >= since)
      .map(({ s, takenAt }) => ({
        backupName: b.metadata.name ?? '',
        snapshot: s.name,
        ...location,
        path: s.path,
        sha256: s.sha256,
        revision: s.revision,
        takenAt,
      }));
  });
}

/** The newest snapshot: latest {@link BackupSnapshot.takenAt}, then highest revision, then backup name. */
export function newestSnapshot(snapshots: readonly BackupSnapshot[]): BackupSnapshot | undefined {
  return [...snapshots].sort(
    (a, b) =>
      Date.parse(b.takenAt) - Date.parse(a.takenAt) ||
      b.revision - a.revision ||
      a.backupName.localeCompare(b.backupName),
  )[0];
}

/** Just the snapshot's fields of a record or a restore (no token, no recovery fields). */
function snapshotOf(from: EtcdSnapshotSource): EtcdSnapshotSource {
  const { backupName, snapshot, claimName, s3, path, sha256, revision } = from;
  return {
    backupName,
    snapshot,
    ...(claimName !== undefined ? { claimName } : {}),
    ...(s3 !== undefined ? { s3: { ...s3 } } : {}),
    path,
    sha256,
    revision,
  };
}

/** The snapshot a record restores from, with the new cluster's token. */
function restoreOf(record: EtcdBackupRecoveryStatus, obs: ClusterObservation): RestoreFrom {
  // New for every recovery: the seed's name is new.
  return { ...snapshotOf(record), token: `${obs.uid ?? obs.name}-${record.seed}` };
}

/** Plans the start of a recovery from a backup, or the Wait that explains why there is none. */
export function planBackupRecovery(obs: ClusterObservation, newMemberName: () => string, now: Date): Step {
  const remaining = membersWithData(obs);
  if (remaining.length > 0) {
    return {
      kind: 'Wait',
      reason: 'NoSurvivor',
      degraded: true,
      message: `quorum lost and no member can be recovered from, but ${remaining.join(', ')} may still hold data (a PVC, or a member answering); nothing is deleted while it may come back. If that data is gone for good, delete those PVCs: the cluster is then restored from its newest EtcdBackup`,
    };
  }
  const newest = newestSnapshot(obs.recoveryBackups ?? []);
  if (newest === undefined) {
    return {
      kind: 'Wait',
      reason: 'NoSurvivorNoBackup',
      degraded: true,
      message: `quorum lost and no member's data survives, and no EtcdBackup of ${obs.name} in ${obs.namespace} holds a verified snapshot (on a PVC or in S3) taken since the cluster was created; nothing is deleted. Create the cluster again, empty or from another backup (spec.bootstrap.restore)`,
    };
  }
  const { takenAt: _taken, ...restore } = newest;
  return {
    kind: 'StartBackupRecovery',
    restore,
    seed: freshMemberName(obs, newMemberName),
    recoveryId: recoveryId(now.toISOString()),
    ...clearing(obs, undefined),
  };
}

/** The Pods to delete (not terminating yet) and the PVCs to quarantine of every member but `seed`. */
function clearing(
  obs: ClusterObservation,
  seed: string | undefined,
): { deletePods: string[]; quarantine: string[] } {
  const others = (names: Iterable<string>) => [...names].filter((n) => n !== seed).sort();
  return {
    deletePods: others(obs.pods.keys()).filter((n) => obs.pods.get(n)?.terminating === false),
    quarantine: others(obs.pvcs),
  };
}

/** Follows a recorded recovery from a backup. */
export function continueBackupRecovery(obs: ClusterObservation, record: EtcdBackupRecoveryStatus): Step {
  if (obs.membership?.members.some((m) => m.memberName === record.seed))
    return { kind: 'FinishRecovery', member: record.seed, restart: false };
  const others = [...new Set([...obs.pods.keys(), ...obs.pvcs])].filter((n) => n !== record.seed).sort();
  if (record.phase === 'Clearing' && others.length > 0) {
    const left = clearing(obs, record.seed);
    if (left.deletePods.length > 0 || left.quarantine.length > 0)
      return {
        kind: 'StartBackupRecovery',
        restore: snapshotOf(record),
        seed: record.seed,
        recoveryId: recoveryId(record.startedAt),
        ...left,
      };
    return {
      kind: 'Wait',
      reason: 'DeadMembersTerminating',
      message: `waiting for the Pods of ${others.join(', ')} to terminate before ${record.seed} is restored`,
    };
  }
  if (!obs.pods.has(record.seed))
    return { kind: 'CreateSeed', member: record.seed, restore: restoreOf(record, obs) };
  const failure = obs.pods.get(record.seed)?.initFailure;
  if (failure !== undefined)
    return {
      kind: 'Wait',
      reason: 'RestoredSeedFailing',
      degraded: true,
      message: `${record.seed} cannot restore snapshot ${record.path}${describeLocation(record)} of EtcdBackup ${record.backupName}: ${failure}. The kubelet retries it; fix the cause (the object, its credentials Secret, the volume) and it goes on. The recovery stays on this snapshot`,
    };
  return {
    kind: 'Wait',
    reason: 'RestoredSeedStarting',
    message: `waiting for ${record.seed}, restored from snapshot ${record.path}${describeLocation(record)} of EtcdBackup ${record.backupName} (revision ${record.revision}), to answer`,
  };
}

/** The record of a recovery from a backup, written before its first step. */
export function backupRecoveryRecord(
  obs: ClusterObservation,
  step: Extract<Step, { kind: 'StartBackupRecovery' }>,
  now: Date,
): EtcdBackupRecoveryStatus {
  return {
    source: 'Backup',
    ...snapshotOf(step.restore),
    seed: step.seed,
    previousClusterID: obs.previousStatus.clusterID ?? '',
    ...(step.quarantine.length > 0 ? { quarantinedPVCs: step.quarantine } : {}),
    startedAt: now.toISOString(),
    phase: 'Clearing',
  };
}
