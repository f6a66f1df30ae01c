// One kube-proxy per cluster, in the cluster's network namespace (every node
// shares it, so one set of Service rules serves them all), in iptables mode. It
// authenticates as system:kube-proxy, which the default RBAC binds to
// system:node-proxier. It must not change host-wide kernel settings that the
// tear-down would then have to restore: the conntrack limits are left alone.
import { join } from 'node:path';

import { ComponentNotReadyError } from '../control-plane/control-plane.js';
import { waitUntil } from '../control-plane/health.js';
import { writeKubeconfig } from '../control-plane/kubeconfig.js';
import type { Pki } from '../control-plane/pki.js';
import { freePort } from '../control-plane/ports.js';
import { startProcess, stopPid } from '../control-plane/process.js';
import type { ManagedProcess } from '../control-plane/process.js';
import { inNamespace } from './host-network.js';
import type { NetworkPlan } from './host-network.js';

export interface KubeProxy {
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

export async function startKubeProxy(options: {
  readonly binary: string;
  readonly dir: string;
  readonly server: string;
  readonly pki: Pki;
  readonly network: NetworkPlan;
  /** The node it reports as (topology); any node of the host. */
  readonly nodeName: string;
}): Promise<KubeProxy> {
  const client = await options.pki.issue({
    name: 'kube-proxy',
    commonName: 'system:kube-proxy',
    usages: ['client'],
  });
  const kubeconfig = join(options.dir, 'kube-proxy.kubeconfig');
  await writeKubeconfig({
    path: kubeconfig,
    server: options.server,
    caFile: options.pki.ca.certFile,
    client,
    userName: 'kube-proxy',
  });
  const healthzPort = await freePort();
  const metricsPort = await freePort();
  const logFile = join(options.dir, 'logs', 'kube-proxy.log');
  const p: ManagedProcess = startProcess({
    name: 'kube-proxy',
    ...inNamespace(options.network, options.binary, [
      `--kubeconfig=${kubeconfig}`,
      `--hostname-override=${options.nodeName}`,
      '--proxy-mode=iptables',
      `--cluster-cidr=${options.network.clusterCIDR}`,
      // Reachable from the host, which waits for it.
      `--healthz-bind-address=${options.network.namespaceAddress}:${healthzPort}`,
      `--metrics-bind-address=127.0.0.1:${metricsPort}`,
      '--conntrack-max-per-core=0',
      '--conntrack-tcp-timeout-established=0s',
      '--conntrack-tcp-timeout-close-wait=0s',
      '--iptables-localhost-nodeports=false',
      `--nodeport-addresses=${options.network.clusterCIDR}`,
      '--v=1',
    ]),
    logFile,
  });
  let last = '';
  await waitUntil(
    async () => {
      if (p.hasExited())
        throw new ComponentNotReadyError('kube-proxy', `exited with ${String(await p.exited)}`, logFile);
      try {
        const res = await fetch(`http://${options.network.namespaceAddress}:${healthzPort}/healthz`, {
          signal: AbortSignal.timeout(1_000),
        });
        last = `${res.status}`;
        // An unread body holds its pooled connection to the node's network namespace.
        await res.body?.cancel();
        return res.ok;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
        return false;
      }
    },
    60_000,
    () => new ComponentNotReadyError('kube-proxy', `/healthz answered ${last}`, logFile),
  );
  return { pid: p.pid, logFile, stop: () => stopPid(p.pid) };
}
