// @switchboard/cli: the `switchboard` command. Its library surface is small:
// where a local cluster lives, for scripts that want the same answer.
export { clusterDir, localKubeconfig } from './commands/cluster.js';
