// Runs the operator in the test process, as the binary does (a core Manager
// with the Prometheus and Alertmanager controllers), scoped to one
// namespace, with no HTTP endpoints, and stoppable at any moment.
//
// It runs as its own ServiceAccount under the API server's RBAC, with exactly
// the permissions of config/rbac (moved into the test namespace), so every
// suite that runs it also proves those manifests complete: a missing verb
// shows up as a cache that never syncs or a failed write.
import { join } from 'node:path';

import { Client, Manager } from '@switchboard/core';
import { runAsServiceAccount } from '@switchboard/testing';
import type { testKubeConfig } from '@switchboard/testing';
import { addAlertmanagerController } from '../../src/controller/alertmanager-controller.js';
import { addPrometheusController } from '../../src/controller/prometheus-controller.js';
import type { ImageSettings } from '../../src/resources/images.js';

type KubeConfig = ReturnType<typeof testKubeConfig>;

const RBAC_DIR = join(import.meta.dirname, '..', '..', 'config', 'rbac');

/** A running operator. */
export interface RunningOperator {
  readonly manager: Manager;
  /** Stops it (graceful, like SIGTERM) and resolves when it has stopped. */
  stop(): Promise<void>;
  /** Resolves or rejects when the manager ends by itself. */
  readonly ended: Promise<void>;
}

/** Options of {@link runOperator}. */
export interface RunOperatorOptions {
  images?: ImageSettings;
  /** Hold this Lease (in the namespace) while running, as `--leader-elect` does. */
  leaseName?: string;
}

/** Starts the operator for one namespace as its ServiceAccount; `kc` is the admin's, used only to set that account up. */
export async function runOperator(
  kc: KubeConfig,
  namespace: string,
  opts: RunOperatorOptions = {},
): Promise<RunningOperator> {
  const { images, leaseName } = opts;
  const client = Client.fromKubeConfig(
    (await runAsServiceAccount(kc, { rbacDir: RBAC_DIR, namespace })).kubeConfig,
  );
  const manager = new Manager({
    client,
    namespace,
    leaderElection: leaseName === undefined ? false : { leaseName },
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    processMetrics: false,
  });
  addPrometheusController(manager, { namespace, ...(images ? { images } : {}) });
  addAlertmanagerController(manager, images ? { images } : {});
  const ac = new AbortController();
  const ended = manager.start(ac.signal);
  return {
    manager,
    ended,
    async stop() {
      ac.abort(new Error('test stops the operator'));
      await ended.catch(() => undefined);
      // The client is ours, not the manager's: close its pooled connections.
      client.close();
    },
  };
}
