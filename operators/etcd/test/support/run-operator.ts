// Runs the etcd operator in the test process, as the binary would (a core
// Manager with the EtcdCluster controller), scoped to one namespace, with
// no HTTP endpoints, and stoppable at any moment.
//
// It runs as its own ServiceAccount under the API server's RBAC, with exactly
// the permissions of config/rbac (moved into the test namespace), so every
// suite that runs it also proves those manifests complete: a missing verb
// shows up as a cache that never syncs or a failed write.
import { join } from 'node:path';

import type { KubeConfig } from '@kubernetes/client-node';
import { Client, Manager } from '@switchboard/core';
import type { ManagerOptions } from '@switchboard/core';
import { runAsServiceAccount } from '@switchboard/testing';

import { addEtcdBackupController } from '../../src/controller/backup-controller.js';
import { addEtcdController } from '../../src/controller/etcd-controller.js';
import type { EtcdClientFactory } from '../../src/etcd/etcd-client.js';

const RBAC_DIR = join(import.meta.dirname, '..', '..', 'config', 'rbac');

/** A running operator. */
export interface RunningOperator {
  /** Stops it (graceful, like SIGTERM) and resolves when it has stopped. */
  stop(): Promise<void>;
  /** Resolves or rejects when the manager ends by itself. */
  readonly ended: Promise<void>;
  /** The manager (its registry, its bound /metrics address). */
  readonly manager: Manager;
}

/** The operator's ServiceAccount in `namespace`, made from config/rbac on first use. */
export async function operatorKubeConfig(admin: KubeConfig, namespace: string): Promise<KubeConfig> {
  return (await runAsServiceAccount(admin, { rbacDir: RBAC_DIR, namespace })).kubeConfig;
}

/** What else the test operator runs, and manager options to override (e.g. serve /metrics). */
export interface RunOperatorOptions extends Pick<ManagerOptions, 'metricsBindAddress'> {
  /** Also run the EtcdBackup controller (as the binary does). */
  backups?: boolean;
  /** Image of an S3 restore's snapshot download (`--toolbox-image`). */
  toolboxImage?: string;
}

/**
 * Starts the operator for one namespace as its ServiceAccount; `kc` is the
 * admin's, used only to set that account up. `etcd` can wrap the real client
 * to inject a crash point.
 */
export async function runOperator(
  kc: KubeConfig,
  namespace: string,
  etcd?: EtcdClientFactory,
  opts: RunOperatorOptions = {},
): Promise<RunningOperator> {
  return startInProcess(
    Client.fromKubeConfig(await operatorKubeConfig(kc, namespace)),
    namespace,
    (manager) => {
      addEtcdController(manager, {
        ...(etcd ? { etcd } : {}),
        resync: { afterChangeMs: 500, waitingMs: 1000, convergedMs: 5000 },
        ...(opts.toolboxImage ? { toolboxImage: opts.toolboxImage } : {}),
      });
      if (opts.backups) addEtcdBackupController(manager);
    },
    opts.metricsBindAddress !== undefined ? { metricsBindAddress: opts.metricsBindAddress } : {},
  );
}

/** Starts the EtcdBackup controller for one namespace, as the operator's ServiceAccount (so its RBAC is proven too). */
export async function runBackupController(kc: KubeConfig, namespace: string): Promise<RunningOperator> {
  return startInProcess(
    Client.fromKubeConfig(await operatorKubeConfig(kc, namespace)),
    namespace,
    (manager) => addEtcdBackupController(manager),
  );
}

/**
 * Starts a Manager in this process that acts as `client`, scoped to
 * `namespace`, with the controllers `register` adds and no HTTP endpoints
 * (unless `overrides` asks for /metrics); any operator's controllers can run
 * this way (the Prometheus operator's too, see prometheus-server.ts).
 */
export function startInProcess(
  client: Client,
  namespace: string,
  register: (manager: Manager) => void,
  overrides: Pick<ManagerOptions, 'metricsBindAddress'> = {},
): RunningOperator {
  const manager = new Manager({
    client,
    namespace,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    processMetrics: false,
    ...overrides,
  });
  register(manager);
  const ac = new AbortController();
  const ended = manager.start(ac.signal);
  return {
    ended,
    manager,
    async stop() {
      ac.abort(new Error('test stops the operator'));
      await ended.catch(() => undefined);
      // The client is ours, not the manager's: close its pooled connections.
      client.close();
    },
  };
}
