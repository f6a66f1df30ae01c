// The Services and PodDisruptionBudget of a cluster, applied (server-side) on
// every pass so drift is repaired.
//
// - The headless peer Service gives each member the DNS name its peer URL
//   uses, and publishes not-ready addresses: a member must resolve its peers
//   before it can become ready.
// - The client Service balances clients over ready members.
// - The PDB lets voluntary evictions (node drains) take members only while a
//   quorum of the live voters stays up (../runbook/disruption-budget.ts
//   computes minAvailable from the pass's observation).
import type { EtcdCluster } from '../api/types.js';
import {
  CLIENT_PORT,
  METRICS_PORT,
  PEER_PORT,
  clientServiceName,
  peerServiceName,
} from '../runbook/member-names.js';
import type { Built, PodDisruptionBudget, Service } from './kube-types.js';
import { clusterLabels, clusterSelector } from './labels.js';
import { clusterOwnerReference } from './owner.js';

function meta(cluster: EtcdCluster, name: string) {
  return {
    name,
    namespace: cluster.metadata.namespace ?? 'default',
    labels: clusterLabels(cluster.metadata.name ?? ''),
    ownerReferences: [clusterOwnerReference(cluster)],
  };
}

/** The headless Service behind the members' peer DNS names. */
export function peerService(cluster: EtcdCluster): Built<Service> {
  const name = cluster.metadata.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(cluster, peerServiceName(name)),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: clusterSelector(name),
      ports: [
        { name: 'peer', port: PEER_PORT, targetPort: PEER_PORT },
        { name: 'client', port: CLIENT_PORT, targetPort: CLIENT_PORT },
        // Every member's /metrics, for a ServiceMonitor (one target per member, ready or not).
        { name: 'metrics', port: METRICS_PORT, targetPort: METRICS_PORT },
      ],
    },
  };
}

/** The Service clients use. */
export function clientService(cluster: EtcdCluster): Built<Service> {
  const name = cluster.metadata.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(cluster, clientServiceName(name)),
    spec: {
      selector: clusterSelector(name),
      ports: [{ name: 'client', port: CLIENT_PORT, targetPort: CLIENT_PORT }],
    },
  };
}

/**
 * A PDB keeping `minAvailable` member Pods available during voluntary
 * disruptions: a quorum of the live voters plus every other member Pod
 * (`minAvailableMembers` in ../runbook/disruption-budget.ts).
 */
export function quorumBudget(cluster: EtcdCluster, minAvailable: number): Built<PodDisruptionBudget> {
  const name = cluster.metadata.name ?? '';
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(cluster, name),
    spec: { minAvailable, selector: { matchLabels: clusterSelector(name) } },
  };
}
