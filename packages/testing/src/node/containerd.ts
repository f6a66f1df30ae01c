// One containerd per node, with its own root, state, sockets, CNI config and
// runc root, so several nodes share a host without seeing each other's
// containers. Settings that matter on this machine kind:
//   - restrict_oom_score_adj: the sandbox lacks CAP_SYS_RESOURCE, and without
//     it every container fails to lower its OOM score.
//   - the registry hosts: every public registry, and any other host
//     (`_default`), is served by the local registry, so nothing is pulled off
//     the machine and a missing image fails fast instead of going outside.
//   - the sandbox image is pinned to the pause image the builder assembled.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { NetworkPlan } from './host-network.js';

/** Registry hosts that pods name and the local registry serves. */
export const MIRRORED_REGISTRIES = [
  'docker.io',
  'quay.io',
  'registry.k8s.io',
  'ghcr.io',
  'switchboard.local',
] as const;

/** Files and sockets of one node's containerd. */
export interface ContainerdLayout {
  readonly dir: string;
  readonly configFile: string;
  /** gRPC socket (the CRI endpoint is `unix://<socket>`). */
  readonly socket: string;
  readonly root: string;
  readonly state: string;
  readonly cniConfDir: string;
  readonly logFile: string;
}

export function containerdLayout(nodeDir: string): ContainerdLayout {
  const dir = join(nodeDir, 'containerd');
  return {
    dir,
    configFile: join(dir, 'config.toml'),
    socket: join(dir, 'containerd.sock'),
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    cniConfDir: join(dir, 'cni'),
    logFile: join(nodeDir, 'logs', 'containerd.log'),
  };
}

export interface ContainerdConfigInput {
  readonly layout: ContainerdLayout;
  readonly runc: string;
  readonly cniBinDir: string;
  /** `host:port` of the local registry. */
  readonly registry: string;
  readonly sandboxImage: string;
  readonly network: NetworkPlan;
  /** This node's pod CIDR and gateway (its node IP). */
  readonly podCIDR: string;
  readonly gateway: string;
  /** Name of the CNI network (unique per node: it names the IPAM store and the CNI cache entries). */
  readonly networkName: string;
}

/** Writes config.toml, the CNI conflist and the registry hosts files. */
export async function writeContainerdConfig(input: ContainerdConfigInput): Promise<void> {
  const { layout } = input;
  const certsDir = join(layout.dir, 'certs.d');
  for (const d of [layout.root, layout.state, layout.cniConfDir, certsDir, join(layout.logFile, '..')]) {
    await mkdir(d, { recursive: true });
  }
  const q = (s: string) => JSON.stringify(s);
  const config = `version = 3
root = ${q(layout.root)}
state = ${q(layout.state)}
disabled_plugins = [
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.blockfile",
  "io.containerd.snapshotter.v1.erofs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
  "io.containerd.nri.v1.nri",
  "io.containerd.image-verifier.v1.bindir",
]

[grpc]
  address = ${q(layout.socket)}

[ttrpc]
  address = ${q(`${layout.socket}.ttrpc`)}

[debug]
  level = "warn"

[plugins."io.containerd.transfer.v1.local"]
  config_path = ${q(certsDir)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(layout.root, 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

[plugins."io.containerd.cri.v1.runtime"]
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = [${q(input.cniBinDir)}]
    conf_dir = ${q(layout.cniConfDir)}
    max_conf_num = 1
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = ${q(input.runc)}
        Root = ${q(join(layout.state, 'runc'))}
        SystemdCgroup = false

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = ${q(input.sandboxImage)}
  [plugins."io.containerd.cri.v1.images".registry]
    config_path = ${q(certsDir)}
`;
  await writeFile(layout.configFile, config);

  // The local registry is the server itself (not a mirror with the public
  // host behind it), so a miss never reaches for the network.
  const hosts = `server = ${q(`http://${input.registry}`)}\n`;
  for (const host of [...MIRRORED_REGISTRIES, '_default']) {
    await mkdir(join(certsDir, host), { recursive: true });
    await writeFile(join(certsDir, host, 'hosts.toml'), hosts);
  }

  const conflist = {
    cniVersion: '1.0.0',
    name: input.networkName,
    plugins: [
      {
        type: 'bridge',
        bridge: input.network.bridge,
        // The gateway address is put on the bridge by the host network set-up
        // (one per node on one bridge), so the plugin must not manage it.
        isGateway: false,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: join(layout.dir, 'ipam'),
          ranges: [[{ subnet: input.podCIDR, gateway: input.gateway }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  await writeFile(
    join(layout.cniConfDir, '10-switchboard.conflist'),
    JSON.stringify(conflist, null, 2) + '\n',
  );
}
