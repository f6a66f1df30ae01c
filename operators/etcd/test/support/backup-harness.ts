// The EtcdBackup controller as the backup e2e suites run it: in this process,
// scoped to the test namespace, as the operator's own ServiceAccount (the
// permissions of config/rbac), plus a wait for a backup's status.
import type { KubeConfig } from '@kubernetes/client-node';
import { Client, Manager } from '@switchboard/core';
import type { ResourceClient } from '@switchboard/core';
import { eventually } from '@switchboard/testing';

import type { EtcdBackup } from '../../src/api/backup-types.js';
import type { EtcdBackupControllerOptions } from '../../src/controller/backup-controller.js';
import { addEtcdBackupController } from '../../src/controller/backup-controller.js';
import { operatorKubeConfig } from './run-operator.js';

/** Starts the backup controller for `namespace`; `stop()` stops it like SIGTERM would. */
export async function startBackupController(
  admin: KubeConfig,
  namespace: string,
  opts: EtcdBackupControllerOptions = {},
): Promise<{ stop(): Promise<void> }> {
  // Same identity as the operator (config/rbac), so the backup permissions are proven too.
  const manager = new Manager({
    client: Client.fromKubeConfig(await operatorKubeConfig(admin, namespace)),
    namespace,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    processMetrics: false,
  });
  addEtcdBackupController(manager, opts);
  const ac = new AbortController();
  const ended = manager.start(ac.signal);
  return {
    async stop() {
      ac.abort(new Error('test stops the backup controller'));
      await ended.catch(() => undefined);
    },
  };
}

/** Waits until `check` passes on the EtcdBackup `name`, and returns it. */
export function waitBackup(
  backups: ResourceClient<EtcdBackup>,
  namespace: string,
  name: string,
  check: (b: EtcdBackup) => void,
  timeout = 90_000,
): Promise<EtcdBackup> {
  return eventually(
    async () => {
      const b = await backups.get({ namespace, name });
      check(b);
      return b;
    },
    { timeout, interval: 1000, message: `EtcdBackup ${name}` },
  );
}
