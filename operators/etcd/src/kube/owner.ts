// The controller owner reference every child of an EtcdCluster carries, so
// that deleting the EtcdCluster garbage-collects its Pods, PVCs, Services and
// PDB, and so that Pod events map back to their cluster.
import type { OwnerReference } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../api/types.js';

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
