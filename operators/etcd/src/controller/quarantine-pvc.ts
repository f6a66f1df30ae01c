// Sets a lost member's PVC aside instead of deleting it (../runbook/quarantine.ts):
// the owner reference to the EtcdCluster goes (deleting the cluster leaves
// the PVC), the quarantine label and a note in words come on. One merge
// patch, guarded by the resourceVersion just read; a PVC already quarantined
// or gone is left as it is, so the step can be repeated.
import { isNotFound } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import { ETCD_CLUSTER_KIND } from '../api/types.js';
import type { PersistentVolumeClaim } from '../kube/kube-types.js';
import { PvcType } from '../kube/kube-types.js';
import {
  CLUSTER_UID_LABEL,
  FIELD_MANAGER,
  QUARANTINE_LABEL,
  QUARANTINE_NOTE_ANNOTATION,
} from '../kube/labels.js';
import type { ClusterObservation } from '../runbook/observation.js';
import type { Step } from '../runbook/step.js';
import { describeStep } from '../runbook/step.js';
import type { StepContext } from './step-context.js';

/** The words a person finds on a quarantined PVC. */
function note(cluster: EtcdCluster, obs: ClusterObservation, member: string, step: Step): string {
  const seen = obs.previousStatus.members?.find((m) => m.name === member)?.raftIndex;
  return `member ${member} of EtcdCluster ${cluster.metadata.name ?? ''}, set aside by a disaster recovery${seen !== undefined ? ` (highest raft index seen on it: ${seen})` : ''}: ${describeStep(step)}. The operator never reuses or deletes this PVC; delete it once its data is not needed`;
}

/** Quarantines one PVC of a member of `cluster`, labelled `id` (a recovery's or a replacement's), with `words` as its note. */
export async function quarantinePvc(
  ctx: StepContext,
  cluster: EtcdCluster,
  key: { namespace: string; name: string },
  id: string,
  words: string,
): Promise<void> {
  const pvcs = ctx.client.resource<PersistentVolumeClaim>(PvcType);
  const call = ctx.signal ? { signal: ctx.signal } : {};
  let pvc: PersistentVolumeClaim;
  try {
    pvc = await pvcs.get(key, call);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  if (pvc.metadata.labels?.[QUARANTINE_LABEL] !== undefined) return;
  const uid = cluster.metadata.uid;
  const owners = (pvc.metadata.ownerReferences ?? []).filter(
    (r) => !(r.kind === ETCD_CLUSTER_KIND && (uid === undefined || r.uid === uid)),
  );
  await pvcs.patch(
    key,
    {
      type: 'merge',
      body: {
        metadata: {
          // A PVC changed since it was read is read again on the next pass (409).
          resourceVersion: pvc.metadata.resourceVersion,
          ownerReferences: owners.length > 0 ? owners : null,
          // The cluster's UID stays on it (retention.ts): without the owner
          // reference it would otherwise read as a namesake's (foreign).
          labels: { [QUARANTINE_LABEL]: id, ...(uid !== undefined ? { [CLUSTER_UID_LABEL]: uid } : {}) },
          annotations: { [QUARANTINE_NOTE_ANNOTATION]: words },
        },
      },
    },
    { fieldManager: FIELD_MANAGER, ...call },
  );
}

/**
 * Quarantines the PVC of a member replaced because it may only be cut off
 * (../runbook/replace-member.ts), or the leftover PVC of such a replacement
 * that stopped after the member left etcd (../runbook/orphans.ts).
 */
export async function quarantineReplacedPvc(
  ctx: StepContext,
  cluster: EtcdCluster,
  obs: ClusterObservation,
  step: Extract<Step, { kind: 'RemoveMember' | 'QuarantineVolume' }>,
): Promise<void> {
  if (!obs.pvcs.has(step.member)) return; // quarantined already, or gone
  const seen = obs.previousStatus.members?.find((m) => m.name === step.member)?.raftIndex;
  const words = `member ${step.member} of EtcdCluster ${cluster.metadata.name ?? ''}, set aside when it was replaced${seen !== undefined ? ` (highest raft index seen on it: ${seen})` : ''}: ${describeStep(step)}. The operator never reuses or deletes this PVC; delete it once its data is not needed`;
  await quarantinePvc(
    ctx,
    cluster,
    { namespace: obs.namespace, name: step.member },
    step.quarantineId ?? 'replaced',
    words,
  );
}

/** Quarantines every PVC a recovery step names (already quarantined ones are skipped). */
export async function quarantineAll(
  ctx: StepContext,
  cluster: EtcdCluster,
  obs: ClusterObservation,
  step: Extract<Step, { kind: 'StartRecovery' | 'StartBackupRecovery' }>,
): Promise<void> {
  for (const member of step.quarantine) {
    if (!obs.pvcs.has(member)) continue; // quarantined already, or gone
    await quarantinePvc(
      ctx,
      cluster,
      { namespace: obs.namespace, name: member },
      step.recoveryId,
      note(cluster, obs, member, step),
    );
  }
}
