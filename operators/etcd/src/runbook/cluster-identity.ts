// Whose answers count: every answer from etcd (a member list, a member's own
// status) names the cluster it comes from, and only answers from this
// cluster are used.
//
// Rules
// - Once status.clusterID is recorded, an answer with another cluster ID is
//   foreign: a member list from it never judges membership or orphans (it
//   would list none of our members, and every one of them would look like a
//   leftover), its status never counts as a member's health, and the Pod
//   that gave it, and that Pod's PVC, are never deleted as ours. Such an
//   answer comes from a Pod running another cluster's data (a PVC of another
//   cluster mounted by hand, a Pod IP reused by another cluster's member
//   while the operator reaches members by IP).
// - Before a cluster ID is recorded (a new cluster), the seed's answer is the
//   cluster's: its ID is recorded from it.
// - A recovery from a backup (recover-from-backup.ts) starts a new cluster
//   ID on purpose: while it is on record, only the recorded seed's answers
//   are trusted, whatever ID they carry, and status.clusterID then takes it.
// - A foreign answer is reported: Degraded with reason ForeignMember naming
//   the member and both IDs, and a Warning Event when Degraded turns to it.
import type { EtcdClusterStatus } from '../api/types.js';
import type { ClusterObservation } from './observation.js';

/** An answer from a member Pod that carries another cluster's ID. */
export interface ForeignAnswer {
  /** Pod (member) name that answered. */
  member: string;
  /** Cluster ID it answered with (hex). */
  clusterId: string;
}

/** Degraded reason of a cluster with a foreign answer. */
export const FOREIGN_MEMBER_REASON = 'ForeignMember';

/** True when an answer from `member`'s Pod with `clusterId` counts as this cluster's. */
export function trustsAnswer(status: EtcdClusterStatus, member: string, clusterId: string): boolean {
  const recovery = status.recovery;
  if (recovery?.source === 'Backup') return member === recovery.seed;
  return !status.clusterID || clusterId === status.clusterID;
}

/** The Degraded message for foreign answers, or undefined when there are none. */
export function describeForeignAnswers(obs: ClusterObservation): string | undefined {
  const answers = obs.foreignAnswers ?? [];
  if (answers.length === 0) return undefined;
  const expected = obs.previousStatus.clusterID ?? '(none recorded)';
  const each = answers.map((a) => `${a.member} answered with cluster ID ${a.clusterId}`).join('; ');
  return `${each}, not this cluster's ${expected} (status.clusterID): its answers are ignored and its Pod and PVC are left alone. It runs another cluster's data; delete it by hand once you know whose it is`;
}
