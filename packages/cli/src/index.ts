// @switchboard/cli: the `switchboard` command. Its library surface is small:
// where a local cluster lives, for scripts that want the same answer.
export { clusterDir, localKubeconfig } from './commands/cluster.js';

// Manifest generation, for a project's own drift test (the same functions
// `switchboard crd|rbac --check` runs):
//   expect(staleFiles('config/crd', crdFiles(operator))).toEqual([]);
export { crdFiles } from './manifests/crd.js';
export { rbacFiles, rbacRules } from './manifests/rbac.js';
export { recordControllers } from './manifests/record-controllers.js';
export { staleFiles, writeFiles } from './manifests/files.js';
export { loadOperator, operatorFromModule } from './manifests/operator-module.js';
export type { OperatorDescription, PolicyRule, CrdSource } from './manifests/operator-module.js';
export type { RecordedControllers } from './manifests/record-controllers.js';
export type { GeneratedFile, StaleFile } from './manifests/files.js';
