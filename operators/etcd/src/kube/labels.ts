// Labels on everything the operator creates for a cluster: the standard
// app.kubernetes.io set, plus ours to select a cluster's members and to name
// one member's Pod and PVC.

/** Label naming the EtcdCluster an object belongs to. */
export const CLUSTER_LABEL = 'etcd.switchboard.dev/cluster';
/** Label naming the member a Pod or PVC belongs to. */
export const MEMBER_LABEL = 'etcd.switchboard.dev/member';
/**
 * Label of a PVC quarantined by a disaster recovery (value: the recovery's
 * ID, from its start time). The operator never reuses or deletes such a PVC.
 */
export const QUARANTINE_LABEL = 'etcd.switchboard.dev/quarantined-by';
/** Annotation on a quarantined PVC saying, in words, what it may hold. */
export const QUARANTINE_NOTE_ANNOTATION = 'etcd.switchboard.dev/quarantine-note';
/**
 * Label carrying the UID of the EtcdCluster that created a Pod or PVC: an
 * object whose UID is another cluster's is foreign (runbook/retention.ts).
 */
export const CLUSTER_UID_LABEL = 'etcd.switchboard.dev/cluster-uid';
/** Label on a PVC the operator keeps but never uses again; its value is why (runbook/retention.ts). */
export const RETAINED_LABEL = 'etcd.switchboard.dev/retained';
/** Annotation on a retained PVC saying, in words, whose it was and why it was kept. */
export const RETAINED_ANNOTATION = 'etcd.switchboard.dev/retained';
/**
 * Annotation a member's PVC gets just before the member is removed from etcd,
 * saying what the removal does with the volume (`Delete`, `Retain`, or
 * `Quarantine:<id>`): when the operator dies between the removal and the
 * volume's fate, the leftover PVC still says it (runbook/orphans.ts), so a
 * volume that was to be quarantined is never deleted as a mere leftover.
 */
export const REMOVAL_FATE_ANNOTATION = 'etcd.switchboard.dev/on-removal';
/** Field manager and `managed-by` value of the operator's writes. */
export const FIELD_MANAGER = 'etcd-operator';

/** Labels selecting every member of a cluster. */
export function clusterSelector(cluster: string): Record<string, string> {
  return { [CLUSTER_LABEL]: cluster };
}

/** Label selector string for list calls. */
export function clusterSelectorString(cluster: string): string {
  return `${CLUSTER_LABEL}=${cluster}`;
}

/** Labels of a cluster's objects (Services, PDB). */
export function clusterLabels(cluster: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'etcd',
    'app.kubernetes.io/instance': cluster,
    'app.kubernetes.io/managed-by': FIELD_MANAGER,
    ...clusterSelector(cluster),
  };
}

/** Labels of one member's Pod and PVC. */
export function memberLabels(cluster: string, member: string): Record<string, string> {
  return { ...clusterLabels(cluster), [MEMBER_LABEL]: member };
}
/** Annotation on a member Pod: the hash of the template it was made from (member-pod.ts memberTemplateHash). */
export const MEMBER_TEMPLATE_ANNOTATION = 'etcd.switchboard.dev/member-template';

/**
 * On a member PVC: the user its data is written as (`65532`, pod-security.ts
 * MEMBER_UID). A PVC of ours without it was made by an operator that ran
 * members as root: its data folder is root's (0700), so its member keeps
 * running as root (no capabilities) rather than crash-loop on data it cannot
 * read.
 */
export const DATA_OWNER_ANNOTATION = 'etcd.switchboard.dev/data-owner';
