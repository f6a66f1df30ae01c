// The EtcdBackup controller as the backup e2e suites run it: in this process,
// scoped to the test namespace, as the operator's own ServiceAccount (the
// permissions of config/rbac), plus the source cluster and a wait for a
// backup's status.
import type { KubeConfig } from '@kubernetes/client-node';
import { Client, Manager } from '@switchboard/core';
import type { ObjectKey, ResourceClient } from '@switchboard/core';
import { eventually } from '@switchboard/testing';

import type { EtcdBackup } from '../../src/api/backup-types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../../src/api/types.js';
import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type { EtcdBackupControllerOptions } from '../../src/controller/backup-controller.js';
import { addEtcdBackupController } from '../../src/controller/backup-controller.js';
import { waitHealthy } from './etcd-cluster-probe.js';
import { operatorKubeConfig } from './run-operator.js';

/** Starts the backup controller for `namespace`; `stop()` stops it like SIGTERM would. */
export async function startBackupController(
  admin: KubeConfig,
  namespace: string,
  opts: EtcdBackupControllerOptions = {},
): Promise<{ stop(): Promise<void> }> {
  // Same identity as the operator (config/rbac), so the backup permissions are proven too.
  const client = Client.fromKubeConfig(await operatorKubeConfig(admin, namespace));
  const manager = new Manager({
    client,
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
      client.close();
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

/** Creates the EtcdCluster a backup suite snapshots and waits until its members are healthy. */
export async function createSourceCluster(
  client: Client,
  key: ObjectKey,
  size: number,
  version: string,
): Promise<void> {
  await client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND }).create({
    apiVersion: ETCD_API_VERSION,
    kind: ETCD_CLUSTER_KIND,
    metadata: { name: key.name, namespace: key.namespace ?? 'default' },
    spec: { size, version } as EtcdClusterSpec,
  });
  await waitHealthy(client, key, size, version, 180_000);
}
