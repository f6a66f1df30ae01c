// @switchboard/etcd-operator: an etcd operator built on @switchboard/core.
//
// api/      the EtcdCluster type and its CRD (CEL rules included)
// etcd/     a one-endpoint etcd client over etcd's HTTP/JSON gateway (http or https)
// tls/      generated CA and certificates, and which Secrets a TLS cluster uses
// runbook/  the operator's runbook as pure planning: observe, then one step
// kube/     the Pods, PVCs, Services and PDB of a cluster
// controller/  observe + decide + write status + execute, wired to a Manager
// operator.ts  what `switchboard crd|rbac` read: resources, controllers, extra permissions
export {
  ETCD_GROUP,
  ETCD_API_VERSION,
  ETCD_API_VERSION_NAME,
  ETCD_CLUSTER_KIND,
  DEFAULT_ETCD_VERSION,
  DEFAULT_ETCD_REPOSITORY,
  MIN_CLUSTER_SIZE,
  MAX_CLUSTER_SIZE,
  ConditionType,
} from './api/types.js';
export type {
  EtcdCluster,
  EtcdClusterSpec,
  EtcdClusterStatus,
  EtcdClusterPhase,
  EtcdMemberStatus,
  EtcdStorageSpec,
  EtcdPodTemplate,
  EtcdOptions,
  EtcdAntiAffinity,
  EtcdTLSSpec,
  EtcdClientTLS,
  EtcdPeerTLS,
  Condition,
} from './api/types.js';
export { EtcdClusterResource, etcdClusterCrd } from './api/crd.js';
export { operator } from './operator.js';
export { parseVersion, compareVersions, upgradePathProblem } from './api/version.js';
export type { EtcdVersion } from './api/version.js';
export { EtcdRequestError } from './etcd/etcd-client.js';
export type {
  EtcdEndpointClient,
  EtcdClientFactory,
  EtcdMember,
  EtcdMemberList,
  EtcdEndpointStatus,
  EtcdAlarm,
  EtcdErrorReason,
  EtcdTLSMaterial,
} from './etcd/etcd-client.js';
export { GatewayEtcdClient, gatewayClientFactory, tlsAgent } from './etcd/gateway-client.js';
export type {
  GatewayClientOptions,
  GatewayClientFactory,
  GatewayClientFactoryOptions,
} from './etcd/gateway-client.js';
export { generatedSecretNames } from './tls/cluster-tls.js';
export { decide } from './runbook/decide.js';
export type { DecideOptions } from './runbook/decide.js';
export type { Step, StepKind } from './runbook/step.js';
export type { ClusterObservation } from './runbook/observation.js';
export { computeStatus } from './runbook/status.js';
export { reconcileEtcdCluster } from './controller/reconcile-cluster.js';
export type { EtcdReconcilerDeps } from './controller/reconcile-cluster.js';
export { DEFAULT_RESYNC } from './controller/resync.js';
export type { ResyncIntervals } from './controller/resync.js';
export type { EventSink } from './controller/step-context.js';
export { CLUSTER_LABEL, MEMBER_LABEL } from './kube/labels.js';
export { clientServiceName, peerServiceName } from './runbook/member-names.js';
