// Writes to one member's Pod and PVC, each repeatable and each guarded:
// a PVC is created or, when one of the member's name exists, checked to be
// this cluster's (../runbook/retention.ts); a delete carries the UID observed
// (an object recreated since is never deleted: StaleObservationError stops
// the step); a PVC kept by the retention policy is relabelled, not deleted.
import type { Client } from '@switchboard/core';
import { AlreadyExistsError, ConflictError, isNotFound } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import type { PersistentVolumeClaim, Pod } from '../kube/kube-types.js';
import { PodType, PvcType } from '../kube/kube-types.js';
import {
  CLUSTER_UID_LABEL,
  DATA_OWNER_ANNOTATION,
  FIELD_MANAGER,
  REMOVAL_FATE_ANNOTATION,
  RETAINED_ANNOTATION,
  RETAINED_LABEL,
} from '../kube/labels.js';
import type { MemberBootstrap } from '../kube/member-pod.js';
import { memberPod, memberPvc } from '../kube/member-pod.js';
import { originOf } from '../kube/owner.js';
import type { ClusterObservation, VolumeFate } from '../runbook/observation.js';
import { formatVolumeFate } from '../runbook/observation.js';
import type { RetainedWhy } from '../runbook/retention.js';
import { isOurs } from '../runbook/retention.js';

/** What these writes need of the step's context. */
export interface MemberObjectsContext {
  client: Client;
  signal?: AbortSignal;
  /** Image of a seed's S3 snapshot download (default the operator's, ../kube/member-pod.ts). */
  toolboxImage?: string;
}

async function createIgnoringExisting<T extends Pod | PersistentVolumeClaim>(
  create: () => Promise<T>,
): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
}

/** Runs a write to one object; the object being gone already is not an error. */
async function ignoringMissing(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** A PVC of the member's name exists but was made by another EtcdCluster (or by no operator): never started on. */
export class ForeignVolumeError extends Error {
  readonly reason = 'ForeignVolume';
  constructor(readonly key: { namespace: string; name: string }) {
    super(
      `PVC ${key.namespace}/${key.name} exists but is not this EtcdCluster's (another UID in its label ${CLUSTER_UID_LABEL}, or none): no member is started on it`,
    );
  }
}

/**
 * Creates the member's PVC, or checks that the one already there is this
 * cluster's (../runbook/retention.ts). Returns whether its data was written
 * as root (a PVC an older operator made, without DATA_OWNER_ANNOTATION).
 */
async function ensureMemberPvc(
  ctx: MemberObjectsContext,
  cluster: EtcdCluster,
  member: string,
): Promise<{ dataOwnedByRoot: boolean }> {
  const call = ctx.signal ? { signal: ctx.signal } : {};
  const pvcs = ctx.client.resource<PersistentVolumeClaim>(PvcType);
  try {
    await pvcs.create(memberPvc(cluster, member), { fieldManager: FIELD_MANAGER, ...call });
    return { dataOwnedByRoot: false };
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    const key = { namespace: cluster.metadata.namespace ?? 'default', name: member };
    const existing = await pvcs.get(key, call);
    if (!isOurs(originOf(existing.metadata), cluster.metadata.uid ?? '') || isRetained(existing))
      throw new ForeignVolumeError(key);
    return { dataOwnedByRoot: existing.metadata.annotations?.[DATA_OWNER_ANNOTATION] === undefined };
  }
}

function isRetained(pvc: PersistentVolumeClaim): boolean {
  return pvc.metadata.labels?.[RETAINED_LABEL] !== undefined;
}

export async function startMember(
  ctx: MemberObjectsContext,
  cluster: EtcdCluster,
  member: string,
  boot: MemberBootstrap,
): Promise<void> {
  const opts = { fieldManager: FIELD_MANAGER, ...(ctx.signal ? { signal: ctx.signal } : {}) };
  const volume =
    cluster.spec.storage.type !== 'Ephemeral'
      ? await ensureMemberPvc(ctx, cluster, member)
      : { dataOwnedByRoot: false };
  const render: MemberBootstrap = {
    ...boot,
    ...(ctx.toolboxImage ? { toolboxImage: ctx.toolboxImage } : {}),
    ...(volume.dataOwnedByRoot ? { dataOwnedByRoot: true } : {}),
  };
  await createIgnoringExisting(() =>
    ctx.client.resource<Pod>(PodType).create(memberPod(cluster, member, render), opts),
  );
}

/**
 * A Pod or PVC the step would delete was replaced by another of the same
 * name since the observation (its UID differs): the step stops there, and the
 * next pass decides again from a fresh observation.
 */
export class StaleObservationError extends Error {
  readonly reason = 'StaleObservation';
  constructor(
    readonly kind: 'Pod' | 'PersistentVolumeClaim',
    readonly key: { namespace: string; name: string },
    readonly observedUid: string,
  ) {
    super(
      `${kind} ${key.namespace}/${key.name} is no longer the one observed (uid ${observedUid}): it was recreated since, and is not deleted`,
    );
  }
}

/** Deletes an observed object only while it is the one observed (a UID precondition); one never observed is left alone. */
async function deleteObserved(
  ctx: MemberObjectsContext,
  kind: 'Pod' | 'PersistentVolumeClaim',
  key: { namespace: string; name: string },
  uid: string | undefined,
): Promise<void> {
  if (uid === undefined || uid === '') return;
  const resource = ctx.client.resource(kind === 'Pod' ? PodType : PvcType);
  try {
    await resource.delete(key, { preconditions: { uid }, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  } catch (err) {
    if (isNotFound(err)) return;
    if (err instanceof ConflictError) throw new StaleObservationError(kind, key, uid);
    throw err;
  }
}

/** Deletes a member's Pod and/or PVC as observed, the Pod first (its PVC is protected while a Pod uses it). */
export async function deleteMemberObjects(
  ctx: MemberObjectsContext,
  obs: ClusterObservation,
  member: string,
  which: { pod: boolean; pvc: boolean },
): Promise<void> {
  const key = { namespace: obs.namespace, name: member };
  if (which.pod) await deleteObserved(ctx, 'Pod', key, obs.pods.get(member)?.uid);
  if (which.pvc) await deleteObserved(ctx, 'PersistentVolumeClaim', key, obs.pvcUids?.get(member));
}

/**
 * Relabels a member's PVC as retained (../runbook/retention.ts): it keeps the
 * cluster's labels and UID, and says which member it was and why it was kept.
 */
export async function retainVolume(
  ctx: MemberObjectsContext,
  obs: ClusterObservation,
  member: string,
  why: RetainedWhy,
): Promise<void> {
  const how =
    why === 'ScaledDown'
      ? 'removed by a scale-down'
      : 'which left etcd without its removal finishing (an interrupted step)';
  const note = `volume of member ${member} of EtcdCluster ${obs.namespace}/${obs.name} (uid ${obs.uid ?? 'unknown'}), ${how}; kept on ${new Date().toISOString()} because spec.persistentVolumeClaimRetentionPolicy.whenScaled is Retain. The operator never uses or deletes it: delete it once its data is not needed`;
  await ignoringMissing(async () => {
    await ctx.client.resource<PersistentVolumeClaim>(PvcType).patch(
      { namespace: obs.namespace, name: member },
      {
        type: 'merge',
        body: {
          metadata: { labels: { [RETAINED_LABEL]: why }, annotations: { [RETAINED_ANNOTATION]: note } },
        },
      },
      { fieldManager: FIELD_MANAGER, ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
  });
}

/**
 * Writes on a member's PVC what its removal will do with it
 * (REMOVAL_FATE_ANNOTATION), before the member leaves etcd: if the operator
 * stops between the two, the leftover PVC still says it (../runbook/orphans.ts).
 * A PVC already saying so, or gone, is left as it is.
 */
export async function markRemovalFate(
  ctx: MemberObjectsContext,
  obs: ClusterObservation,
  member: string,
  fate: VolumeFate,
): Promise<void> {
  const value = formatVolumeFate(fate);
  const recorded = obs.pvcFates?.get(member);
  if (!obs.pvcs.has(member) || (recorded !== undefined && formatVolumeFate(recorded) === value)) return;
  await ignoringMissing(async () => {
    await ctx.client
      .resource<PersistentVolumeClaim>(PvcType)
      .patch(
        { namespace: obs.namespace, name: member },
        { type: 'merge', body: { metadata: { annotations: { [REMOVAL_FATE_ANNOTATION]: value } } } },
        { fieldManager: FIELD_MANAGER, ...(ctx.signal ? { signal: ctx.signal } : {}) },
      );
  });
}
