// The real node of the local cluster: containerd, runc and the CNI plugins
// under the real kubelet, one kube-proxy for the host, CoreDNS and
// local-path-provisioner, all built from their Go modules by the bootstrap
// (packages/cli/setup/30-node.sh) and run from folders of the cluster's own.
// startLocalCluster composes it with the control plane (../control-plane) and
// the local registry (../images); faults reach pods and nodes through real
// mechanisms; teardown leaves nothing on the host.
export {
  startLocalCluster,
  readLocalClusterState,
  attachLocalCluster,
  stopLocalClusterFromState,
  isLocalClusterRunning,
  NotRootError,
  ClusterRunningError,
} from './cluster.js';
export type { LocalCluster, LocalClusterOptions, LocalClusterState } from './cluster.js';
export { startNode, nodeHandle } from './node.js';
export type { LocalNode, NodeState, StartNodeOptions } from './node.js';
export type { Faults, PodRef } from './faults.js';
export { DEFAULT_NETWORK, MAX_SLOTS, networkPlan, nodeSubnet } from './host-network.js';
export type { NetworkPlan, HostNetworkRecord } from './host-network.js';
export { findLeftovers, teardownNodes } from './teardown.js';
export { NODE_VERSIONS, nodeBinaries } from './binaries.js';
export type { NodeBinaries } from './binaries.js';
export { CommandError } from './command.js';
