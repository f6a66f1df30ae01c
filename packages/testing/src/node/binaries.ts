// Where the node stack's binaries are: in the SWITCHBOARD_ASSETS folder when
// it holds them, else built by the setup scripts (20-etcd.sh, 30-node.sh,
// 50-seaweedfs.sh) from their Go modules, cached by version under cacheDir(). The
// versions here must match the build scripts' defaults (binaries.test.ts
// checks that).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { cacheDir, findBinary, kubernetesBinary, MissingBinaryError } from '../control-plane/paths.js';

/** Versions of the node components the build scripts produce. */
export const NODE_VERSIONS = {
  containerd: '2.4.2',
  runc: '1.5.3',
  cniPlugins: '1.10.0',
  criTools: '1.37.0',
  /** The pause image tag of the kubernetes module's build/pause/Makefile. */
  pause: '3.10.2',
  registry: '3.1.2',
  crane: '0.22.1',
  coredns: '1.15.0',
  localPathProvisioner: '0.0.30',
  etcd: ['3.6.16', '3.5.35'],
} as const;

function cached(component: string, version: string, name: string): string {
  return findBinary(name, join(cacheDir(), component, version, 'bin', name));
}

/** Absolute paths of every binary a node needs. */
export interface NodeBinaries {
  readonly containerd: string;
  readonly ctr: string;
  readonly runc: string;
  /** Folder holding the CNI plugins (bridge, host-local, loopback, portmap). */
  readonly cniBinDir: string;
  readonly crictl: string;
  readonly kubelet: string;
  readonly kubeProxy: string;
  readonly registry: string;
  readonly crane: string;
}

/** The node binaries built into the cache; throws {@link MissingBinaryError} naming the first one missing. */
export function nodeBinaries(): NodeBinaries {
  const v = NODE_VERSIONS;
  const containerd = cached('containerd', `v${v.containerd}`, 'containerd');
  cached('containerd', `v${v.containerd}`, 'containerd-shim-runc-v2');
  const bridge = cached('cni-plugins', `v${v.cniPlugins}`, 'bridge');
  for (const p of ['host-local', 'loopback', 'portmap']) cached('cni-plugins', `v${v.cniPlugins}`, p);
  return {
    containerd,
    ctr: cached('containerd', `v${v.containerd}`, 'ctr'),
    runc: cached('runc', `v${v.runc}`, 'runc'),
    cniBinDir: join(bridge, '..'),
    crictl: cached('cri-tools', `v${v.criTools}`, 'crictl'),
    kubelet: kubernetesBinary('kubelet'),
    kubeProxy: kubernetesBinary('kube-proxy'),
    registry: cached('registry', `v${v.registry}`, 'registry'),
    crane: cached('crane', `v${v.crane}`, 'crane'),
  };
}

/** SeaweedFS module version packages/cli/setup/50-seaweedfs.sh builds (`weed`, the tests' S3 server). */
export const SEAWEEDFS_VERSION = '0.0.0-20261109003541-7506e5f91cd6';

/** Path of SeaweedFS's `weed`; throws {@link MissingBinaryError} when the bootstrap has not built it. */
export function objectStoreBinary(): string {
  return cached('seaweedfs', `v${SEAWEEDFS_VERSION}`, 'weed');
}

/** Paths of the programs the image builder puts into images. */
export const imageBinary = {
  pause: () => cached('pause', NODE_VERSIONS.pause, 'pause'),
  coredns: () => cached('coredns', `v${NODE_VERSIONS.coredns}`, 'coredns'),
  localPathProvisioner: () =>
    cached('local-path-provisioner', `v${NODE_VERSIONS.localPathProvisioner}`, 'local-path-provisioner'),
  // By version, from the cache only: an assets folder holds one etcd, of no known version.
  etcd: (version: string, name: 'etcd' | 'etcdctl' | 'etcdutl') => {
    const path = join(cacheDir(), 'etcd', `v${version}`, 'bin', name);
    if (!existsSync(path)) throw new MissingBinaryError(name, path);
    return path;
  },
  crane: () => cached('crane', `v${NODE_VERSIONS.crane}`, 'crane'),
  registry: () => cached('registry', `v${NODE_VERSIONS.registry}`, 'registry'),
};
