// The controller owner reference the children of an EtcdCluster carry, so
// that deleting the EtcdCluster garbage-collects its Pods, Services and PDB
// (and its PVCs only under whenDeleted `Delete`, ../runbook/retention.ts),
// and so that Pod events map back to their cluster.
import type { KubeObject, ObjectMeta, OwnerReference } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../api/types.js';
import type { ObjectOrigin } from '../runbook/retention.js';
import { isOurs, retentionPolicy } from '../runbook/retention.js';
import { CLUSTER_UID_LABEL, QUARANTINE_LABEL } from './labels.js';

/** The controller reference to `cluster` (which must have been read from the server, for its UID). */
export function clusterOwnerReference(cluster: EtcdCluster): OwnerReference {
  const { name, uid } = cluster.metadata;
  if (!name || !uid)
    throw new TypeError(
      'an owner reference needs the EtcdCluster as read from the API server (name and uid)',
    );
  return {
    apiVersion: ETCD_API_VERSION,
    kind: ETCD_CLUSTER_KIND,
    name,
    uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Which EtcdCluster made a member Pod or PVC: its UID label, and its controller reference's UID. */
export function originOf(meta: ObjectMeta): ObjectOrigin {
  const uidLabel = meta.labels?.[CLUSTER_UID_LABEL];
  const ownerUid = meta.ownerReferences?.find(
    (r) => r.controller === true && r.kind === ETCD_CLUSTER_KIND && r.apiVersion === ETCD_API_VERSION,
  )?.uid;
  return { ...(uidLabel ? { uidLabel } : {}), ...(ownerUid ? { ownerUid } : {}) };
}

/**
 * The merge patch that brings a member PVC of `cluster` in line with
 * whenDeleted (../runbook/retention.ts): the UID label on, the controller
 * reference on under `Delete` and off under `Retain`; undefined when it is
 * in line already, or when the PVC is not this cluster's. The patch carries
 * the PVC's resourceVersion, so a PVC changed since it was read is left for
 * the next pass.
 */
export function pvcOwnershipPatch(pvc: KubeObject, cluster: EtcdCluster): object | undefined {
  const uid = cluster.metadata.uid ?? '';
  if (!isOurs(originOf(pvc.metadata), uid)) return undefined;
  // A recovery's quarantined PVC (../runbook/quarantine.ts) is never owned
  // again: whatever whenDeleted says, it goes only by a person's hand.
  if (pvc.metadata.labels?.[QUARANTINE_LABEL] !== undefined) return undefined;
  const refs = pvc.metadata.ownerReferences ?? [];
  const owned = retentionPolicy(cluster.spec).whenDeleted === 'Delete';
  const labelled = pvc.metadata.labels?.[CLUSTER_UID_LABEL] === uid;
  if (labelled && refs.some((r) => r.uid === uid) === owned) return undefined;
  const others = refs.filter((r) => r.uid !== uid);
  return {
    metadata: {
      resourceVersion: pvc.metadata.resourceVersion,
      labels: { [CLUSTER_UID_LABEL]: uid },
      ownerReferences: owned ? [...others, clusterOwnerReference(cluster)] : others,
    },
  };
}
