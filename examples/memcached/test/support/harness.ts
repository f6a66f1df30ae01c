// What the Memcached suites need around the operator: its CRD installed in
// the test cluster, and the operator running in the test process as its
// binary would (a Manager scoped to one namespace, no HTTP endpoints) as its
// own ServiceAccount with exactly the rules of its config/rbac, so the suites
// prove those manifests complete.
import type { KubeConfig } from '@kubernetes/client-node';
import { Client, Manager, silentLogger } from '@switchboard/core';
import type { ControllerHost, KubeObject } from '@switchboard/core';
import { eventually, runAsServiceAccount } from '@switchboard/testing';

interface CrdObject extends KubeObject {
  status?: { conditions?: { type: string; status: string }[] };
}

/** Applies a CRD (server-side apply: any order, any number of times) and waits until it is Established. */
export async function installCrd(
  kc: KubeConfig,
  crd: KubeObject & { metadata: { name?: string } },
): Promise<void> {
  const crds = Client.fromKubeConfig(kc).resource<CrdObject>({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
  });
  await crds.apply(
    {
      ...crd,
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: crd.metadata.name ?? '' },
    },
    {
      fieldManager: 'memcached-tests',
      force: true,
    },
  );
  await eventually(
    async () => {
      const live = await crds.get({ name: crd.metadata.name ?? '' });
      const established = live.status?.conditions?.find((c) => c.type === 'Established');
      if (established?.status !== 'True')
        throw new Error(`CRD not established: ${JSON.stringify(live.status)}`);
    },
    { timeout: 30_000, message: `CRD ${crd.metadata.name} established` },
  );
}

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
    logger: silentLogger,
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
