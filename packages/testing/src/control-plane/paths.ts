import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The Kubernetes release the project builds and tests against. */
export const KUBERNETES_VERSION = '1.37.2';

/** Where build artifacts are cached by version, outside any checkout. */
export function cacheDir(): string {
  return (
    process.env.SWITCHBOARD_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'switchboard')
  );
}

/** Where `switchboard cluster up` keeps the state of long-lived local clusters. */
export function stateDir(): string {
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'switchboard');
}

/** Thrown when a binary the local cluster needs has not been built yet. */
export class MissingBinaryError extends Error {
  readonly reason = 'MissingBinary';
  constructor(
    readonly binary: string,
    readonly path: string,
  ) {
    super(`${binary} not found at ${path}: run \`npm run bootstrap\` to build it`);
    this.name = 'MissingBinaryError';
  }
}

/** Path of a binary built from the k8s.io/kubernetes module (kube-apiserver, kubectl, kubelet...). */
export function kubernetesBinary(name: string, version = KUBERNETES_VERSION): string {
  const path = join(cacheDir(), 'kubernetes', `v${version}`, 'bin', name);
  if (!existsSync(path)) throw new MissingBinaryError(name, path);
  return path;
}

/** Path of the etcd that stores the control plane's own data (Debian's etcd-server). */
export function controlPlaneEtcdBinary(): string {
  const path = process.env.SWITCHBOARD_ETCD_BINARY ?? '/usr/bin/etcd';
  if (!existsSync(path)) throw new MissingBinaryError('etcd', path);
  return path;
}
