import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { switchboardCommand } from '../command-hint.js';

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

/**
 * Environment variable naming a folder of binaries (kube-apiserver, kubectl,
 * etcd, kubelet, containerd...) searched before the cache, as envtest's
 * KUBEBUILDER_ASSETS: binaries built elsewhere, or kept across machines.
 */
export const ASSETS_ENV = 'SWITCHBOARD_ASSETS';

/** Thrown when a binary the local cluster needs is neither in {@link ASSETS_ENV} nor built into the cache. */
export class MissingBinaryError extends Error {
  readonly reason = 'MissingBinary';
  constructor(
    readonly binary: string,
    /** Where it was expected (the cache's path for it). */
    readonly path: string,
    /** The `switchboard setup` scope that builds it. */
    setupScope: '--node' | '--all' = '--node',
  ) {
    const assets = process.env[ASSETS_ENV];
    super(
      `${binary} not found at ${path}${assets ? ` nor in ${ASSETS_ENV} (${assets})` : ''}: ` +
        `build it with \`${switchboardCommand(`setup ${setupScope}`)}\` (Go >= 1.26 builds it from its module into that cache), ` +
        `or set ${ASSETS_ENV} to a folder that holds it`,
    );
    this.name = 'MissingBinaryError';
  }
}

/**
 * A binary by name: from {@link ASSETS_ENV} when it holds one, else at
 * `cachePath` (where the build puts it); throws {@link MissingBinaryError}.
 */
export function findBinary(
  name: string,
  cachePath: string,
  setupScope: '--node' | '--all' = '--node',
): string {
  const assets = process.env[ASSETS_ENV];
  if (assets && existsSync(join(assets, name))) return join(assets, name);
  if (existsSync(cachePath)) return cachePath;
  throw new MissingBinaryError(name, cachePath, setupScope);
}

/** Path of a binary built from the k8s.io/kubernetes module (kube-apiserver, kubectl, kubelet...). */
export function kubernetesBinary(name: string, version = KUBERNETES_VERSION): string {
  return findBinary(name, join(cacheDir(), 'kubernetes', `v${version}`, 'bin', name));
}

/**
 * Path of the etcd that stores the control plane's own data: SWITCHBOARD_ETCD_BINARY,
 * else one in {@link ASSETS_ENV}, else Debian's etcd-server, else the newest etcd
 * the build made (the one the etcd operator runs).
 */
export function controlPlaneEtcdBinary(): string {
  const named = process.env.SWITCHBOARD_ETCD_BINARY;
  if (named !== undefined) {
    if (!existsSync(named)) throw new MissingBinaryError('etcd', named);
    return named;
  }
  const assets = process.env[ASSETS_ENV];
  if (assets && existsSync(join(assets, 'etcd'))) return join(assets, 'etcd');
  if (existsSync(DEBIAN_ETCD)) return DEBIAN_ETCD;
  return findBinary('etcd', join(cacheDir(), 'etcd', `v${NEWEST_ETCD}`, 'bin', 'etcd'));
}

const DEBIAN_ETCD = '/usr/bin/etcd';
/** The newest etcd line the build makes (scripts' ETCD_VERSIONS, first). */
const NEWEST_ETCD = '3.6.16';
