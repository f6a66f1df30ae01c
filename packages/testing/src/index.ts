// @switchboard/testing: a real local Kubernetes for tests and for people.
//
// The control plane (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler) is built from the k8s.io/kubernetes module by the bootstrap
// and started here with a generated PKI. Suites get it from the jest global
// setup through testKubeConfig(), each in its own namespace, and wait with
// eventually() instead of sleeping. startObjectStore() runs a real
// S3-compatible server (SeaweedFS) on loopback for backup tests.
export {
  startControlPlane,
  readControlPlaneState,
  stopControlPlaneFromState,
  firstServiceIP,
  ComponentNotReadyError,
} from './control-plane/control-plane.js';
export type { ControlPlane, ControlPlaneOptions, ControlPlaneState } from './control-plane/control-plane.js';
export { Pki } from './control-plane/pki.js';
export type { CertificatePair, CertificateRequest } from './control-plane/pki.js';
export {
  KUBERNETES_VERSION,
  cacheDir,
  stateDir,
  kubernetesBinary,
  findBinary,
  ASSETS_ENV,
  MissingBinaryError,
} from './control-plane/paths.js';
export { freePort } from './control-plane/ports.js';
export { switchboardCommand, CLI_PREFIX_ENV } from './command-hint.js';
export { writeKubeconfig } from './control-plane/kubeconfig.js';
export { startProcess, stopPid, isAlive, logTail } from './control-plane/process.js';
export type { ManagedProcess, ProcessSpec } from './control-plane/process.js';
export { eventually, EventuallyTimeoutError } from './eventually.js';
export type { EventuallyOptions } from './eventually.js';
export {
  testKubeConfig,
  testKubeconfigPath,
  createTestNamespace,
  whyNoNode,
  TEST_ENV,
} from './test-cluster.js';
export type { NodeGateOptions, TestNamespace, TestNamespaceOptions } from './test-cluster.js';
export {
  deployOperator,
  ImagePullError,
  imagePullFailure,
  kubectl,
  leaseHandoverBoundMs,
  managerProblems,
  configDefaultProblems,
  wildcardRules,
  metricValue,
  podStartToReady,
  renderKustomization,
} from './deployed-operator.js';
export type {
  DeployedOperator,
  DeployedOperatorOptions,
  LeaderHandover,
  LeaseHolder,
  RenderedObject,
} from './deployed-operator.js';
export { installCrds, waitUntilOwnerKindsMapped, crdOwnerKind } from './crds.js';
export type { CrdManifest, InstallCrdsOptions } from './crds.js';
export { runAsServiceAccount } from './operator-rbac.js';
export type { ServiceAccountRbacOptions, ServiceAccountIdentity } from './operator-rbac.js';
export {
  startLocalCluster,
  readLocalClusterState,
  attachLocalCluster,
  stopLocalClusterFromState,
  isLocalClusterRunning,
  NotRootError,
  ClusterRunningError,
  startNode,
  DEFAULT_NETWORK,
  MAX_SLOTS,
  networkPlan,
  nodeSubnet,
  findLeftovers,
  NODE_VERSIONS,
  nodeBinaries,
  CommandError,
} from './node/index.js';
export type {
  LocalCluster,
  LocalClusterOptions,
  LocalClusterState,
  LocalNode,
  NodeState,
  StartNodeOptions,
  Faults,
  PodRef,
  NetworkPlan,
  NodeBinaries,
} from './node/index.js';
export { startObjectStore } from './object-store/object-store.js';
export type { ObjectStore, ObjectStoreOptions } from './object-store/object-store.js';
export { objectStoreBinary, SEAWEEDFS_VERSION } from './node/binaries.js';
export { HELM_VERSION, helm, helmBinary, installChart, renderChart, whyNoHelm } from './helm.js';
export type { HelmOptions, HelmRelease, InstallChartOptions, RenderChartOptions } from './helm.js';
export {
  IMAGES,
  OPERATOR_IMAGES,
  imageReferences,
  localRepository,
  buildImages,
  ImageBuildError,
  startRegistry,
} from './images/index.js';
export type { ImageSpec, BuildImagesResult, LocalRegistry } from './images/index.js';
