// What the Memcached suites need around the operator: the operator running
// in the test process as its binary would (a Manager scoped to one
// namespace, no HTTP endpoints) as its own ServiceAccount with exactly the
// rules of its config/rbac, so the suites prove those manifests complete.
import type { KubeConfig } from '@kubernetes/client-node';
import { Client, Manager, createLogger } from '@switchboard/core';
import type { ControllerHost } from '@switchboard/core';
import { runAsServiceAccount } from '@switchboard/testing';

/** An operator running in the test process. */
export interface RunningOperator {
  /** Stops it gracefully (like SIGTERM) and resolves once stopped. */
  stop(): Promise<void>;
}

/**
 * Runs controllers added by `addControllers` under a Manager watching one
 * namespace, as the ServiceAccount of the RBAC manifests in `rbacDir` (`kc`,
 * the admin's, only sets that account up).
 */
export async function runOperator(
  kc: KubeConfig,
  namespace: string,
  rbacDir: string,
  addControllers: (host: ControllerHost) => void,
): Promise<RunningOperator> {
  const { kubeConfig } = await runAsServiceAccount(kc, { rbacDir, namespace });
  const manager = new Manager({
    client: Client.fromKubeConfig(kubeConfig, { fieldManager: 'memcached-operator' }),
    namespace,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    processMetrics: false,
    // Warnings and errors (a refused write, a failed watch) reach the test
    // output, so a failure shows its cause; LOG_LEVEL=info shows the rest.
    logger: createLogger({ format: 'text' }),
  });
  addControllers(manager);
  const ac = new AbortController();
  const ended = manager.start(ac.signal);
  return {
    async stop() {
      ac.abort(new Error('test stops the operator'));
      await ended.catch(() => undefined);
    },
  };
}
