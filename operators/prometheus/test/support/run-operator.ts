// Runs the operator in the test process, as the binary does (a core Manager
// with the Prometheus and Alertmanager controllers), scoped to one
// namespace, with no HTTP endpoints, and stoppable at any moment.
import { Client, Manager } from '@switchboard/core';
import type { testKubeConfig } from '@switchboard/testing';
import { addAlertmanagerController } from '../../src/controller/alertmanager-controller.js';
import { addPrometheusController } from '../../src/controller/prometheus-controller.js';
import type { ImageSettings } from '../../src/resources/images.js';

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

/** Starts the operator for one namespace, with the identity `kc` names. */
export function runOperator(
  kc: ReturnType<typeof testKubeConfig>,
  namespace: string,
  opts: RunOperatorOptions = {},
): RunningOperator {
  const { images, leaseName } = opts;
  const manager = new Manager({
    client: Client.fromKubeConfig(kc),
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
    },
  };
}
