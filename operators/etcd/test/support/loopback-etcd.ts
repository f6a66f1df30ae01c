// Real etcd servers on loopback, for tests of the etcd client that do not need
// Kubernetes: the binaries the bootstrap built from the etcd Go modules
// (falling back to the control plane's Debian etcd), one process per member,
// each in its own temporary data folder, stopped by PID.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cacheDir, freePort, startProcess, stopPid } from '@switchboard/testing';
import type { ManagedProcess } from '@switchboard/testing';

/** Path of an etcd server binary: the newest built line first, then Debian's. */
export function etcdBinary(versions: readonly string[] = ['3.6.16', '3.5.35']): string {
  for (const v of versions) {
    const path = join(cacheDir(), 'etcd', `v${v}`, 'bin', 'etcd');
    if (existsSync(path)) return path;
  }
  return '/usr/bin/etcd';
}

/** One etcd process on loopback. */
export interface LoopbackMember {
  readonly name: string;
  readonly clientURL: string;
  readonly peerURL: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** Ports and URLs for a member before it starts (so it can be added to the cluster first). */
export interface LoopbackAddress {
  readonly name: string;
  readonly clientURL: string;
  readonly peerURL: string;
}

/** Picks free ports for a new member; `clientScheme` https for a member that serves clients over TLS. */
export async function loopbackAddress(
  name: string,
  clientScheme: 'http' | 'https' = 'http',
): Promise<LoopbackAddress> {
  const [client, peer] = [await freePort(), await freePort()];
  return { name, clientURL: `${clientScheme}://127.0.0.1:${client}`, peerURL: `http://127.0.0.1:${peer}` };
}

/**
 * Starts one member. `initialCluster` is `name=peerURL,...`; `state` is `new`
 * for a seed and `existing` for a member that was added first. `extraArgs`
 * are added to etcd's flags (TLS files, `--quota-backend-bytes`).
 */
export function startLoopbackMember(
  addr: LoopbackAddress,
  initialCluster: string,
  state: 'new' | 'existing',
  binary = etcdBinary(),
  extraArgs: readonly string[] = [],
): LoopbackMember {
  const dir = mkdtempSync(join(tmpdir(), `etcd-${addr.name}-`));
  const proc = startProcess({
    name: `etcd-${addr.name}`,
    command: binary,
    logFile: join(dir, 'etcd.log'),
    args: [
      `--name=${addr.name}`,
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${addr.clientURL}`,
      `--advertise-client-urls=${addr.clientURL}`,
      `--listen-peer-urls=${addr.peerURL}`,
      `--initial-advertise-peer-urls=${addr.peerURL}`,
      `--initial-cluster=${initialCluster}`,
      `--initial-cluster-state=${state}`,
      '--initial-cluster-token=loopback-test',
      ...extraArgs,
    ],
  });
  return {
    ...addr,
    process: proc,
    async stop() {
      await stopPid(proc.pid, 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
