// One kubelet per node: its own root folder, pod log folder, cgroup root,
// ports and certificates. It authenticates to the API server as
// system:node:<name> (group system:nodes) with a certificate from the cluster
// CA, so Node authorization and NodeRestriction apply as in a real cluster,
// and serves logs and exec on its node IP with a CA-signed serving
// certificate the API server verifies.
//
// Settings this machine kind needs: cgroup v1 (failCgroupV1: false, the
// cgroupfs driver), no swap check, no eviction thresholds (a busy shared disk
// must not evict test pods), and anonymous access off with webhook
// authentication and authorization, as clusters run it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';

import type { CertificatePair } from '../control-plane/pki.js';

export interface KubeletLayout {
  readonly rootDir: string;
  readonly configFile: string;
  readonly kubeconfig: string;
  readonly podLogsDir: string;
  readonly resolvConf: string;
  readonly logFile: string;
}

export function kubeletLayout(nodeDir: string): KubeletLayout {
  const dir = join(nodeDir, 'kubelet');
  return {
    rootDir: join(dir, 'root'),
    configFile: join(dir, 'config.yaml'),
    kubeconfig: join(dir, 'kubeconfig'),
    podLogsDir: join(dir, 'pod-logs'),
    resolvConf: join(dir, 'resolv.conf'),
    logFile: join(nodeDir, 'logs', 'kubelet.log'),
  };
}

export interface KubeletConfigInput {
  readonly layout: KubeletLayout;
  readonly nodeIP: string;
  readonly containerdSocket: string;
  readonly healthzPort: number;
  readonly cgroupRoot: string;
  readonly clientCAFile: string;
  readonly serving: CertificatePair;
  readonly dnsServiceIP: string;
  readonly clusterDomain?: string;
}

/** The KubeletConfiguration document for one node. */
export function kubeletConfiguration(input: KubeletConfigInput): Record<string, unknown> {
  const { layout } = input;
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: input.cgroupRoot,
    containerRuntimeEndpoint: `unix://${input.containerdSocket}`,
    failSwapOn: false,
    address: input.nodeIP,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: input.healthzPort,
    tlsCertFile: input.serving.certFile,
    tlsPrivateKeyFile: input.serving.keyFile,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true, cacheTTL: '10s' },
      x509: { clientCAFile: input.clientCAFile },
    },
    authorization: { mode: 'Webhook', webhook: { cacheAuthorizedTTL: '10s', cacheUnauthorizedTTL: '5s' } },
    clusterDomain: input.clusterDomain ?? 'cluster.local',
    clusterDNS: [input.dnsServiceIP],
    // Pods with dnsPolicy Default get no upstream resolver: nothing leaves the machine.
    resolvConf: layout.resolvConf,
    podLogsDir: layout.podLogsDir,
    volumePluginDir: join(layout.rootDir, 'volume-plugins'),
    enforceNodeAllocatable: [],
    localStorageCapacityIsolation: false,
    evictionHard: {},
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    rotateCertificates: false,
    registerNode: true,
    // Faster than the defaults, so status changes reach tests sooner.
    nodeStatusUpdateFrequency: '4s',
    syncFrequency: '10s',
    fileCheckFrequency: '5s',
    containerLogMaxSize: '10Mi',
    containerLogMaxFiles: 2,
  };
}

export async function writeKubeletConfig(input: KubeletConfigInput): Promise<void> {
  const { layout } = input;
  for (const d of [layout.rootDir, layout.podLogsDir, join(layout.logFile, '..')])
    await mkdir(d, { recursive: true });
  await writeFile(layout.resolvConf, '# switchboard: pods have no resolver outside the cluster\n');
  await writeFile(layout.configFile, stringify(kubeletConfiguration(input)));
}

export function kubeletArgs(input: { layout: KubeletLayout; nodeName: string; nodeIP: string }): string[] {
  return [
    `--config=${input.layout.configFile}`,
    `--kubeconfig=${input.layout.kubeconfig}`,
    `--root-dir=${input.layout.rootDir}`,
    `--hostname-override=${input.nodeName}`,
    `--node-ip=${input.nodeIP}`,
    '--v=1',
  ];
}
