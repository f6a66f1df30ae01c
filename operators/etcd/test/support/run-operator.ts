// Runs the etcd operator in the test process, as the binary would (a core
// Manager with the EtcdCluster controller), scoped to one namespace, with
// no HTTP endpoints, and stoppable at any moment.
import type { KubeConfig } from '@kubernetes/client-node';
import { Client, Manager } from '@switchboard/core';

import { addEtcdController } from '../../src/controller/etcd-controller.js';
import type { EtcdClientFactory } from '../../src/etcd/etcd-client.js';

/** A running operator. */
export interface RunningOperator {
  /** Stops it (graceful, like SIGTERM) and resolves when it has stopped. */
  stop(): Promise<void>;
  /** Resolves or rejects when the manager ends by itself. */
  readonly ended: Promise<void>;
}

/** Starts the operator for one namespace; `etcd` can wrap the real client to inject a crash point. */
export function runOperator(kc: KubeConfig, namespace: string, etcd?: EtcdClientFactory): RunningOperator {
  const manager = new Manager({
    client: Client.fromKubeConfig(kc),
    namespace,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    processMetrics: false,
  });
  addEtcdController(manager, {
    ...(etcd ? { etcd } : {}),
    resync: { afterChangeMs: 500, waitingMs: 1000, convergedMs: 5000 },
  });
  const ac = new AbortController();
  const ended = manager.start(ac.signal);
  return {
    ended,
    async stop() {
      ac.abort(new Error('test stops the operator'));
      await ended.catch(() => undefined);
    },
  };
}
