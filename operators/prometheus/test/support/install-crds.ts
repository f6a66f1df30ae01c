// Installs the monitoring.coreos.com CRDs into the test cluster (server-side
// apply: any order, any number of times) and waits until each is Established.
import { Client } from '@switchboard/core';
import type { KubeObject } from '@switchboard/core';
import { eventually } from '@switchboard/testing';
import type { testKubeConfig } from '@switchboard/testing';
import { monitoringCrds } from '../../src/crd/crds.js';

interface CrdObject extends KubeObject {
  status?: { conditions?: { type: string; status: string }[] };
}

/** Applies the five CRDs; resolves with a fresh Client once all are served. */
export async function installMonitoringCrds(kc: ReturnType<typeof testKubeConfig>): Promise<Client> {
  const crds = Client.fromKubeConfig(kc).resource<CrdObject>({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
  });
  for (const crd of monitoringCrds()) {
    await crds.apply(crd, { fieldManager: 'prometheus-operator-tests', force: true });
    await eventually(
      async () => {
        const live = await crds.get({ name: crd.metadata.name });
        if (live.status?.conditions?.find((c) => c.type === 'Established')?.status !== 'True')
          throw new Error(`${crd.metadata.name} not established`);
      },
      { timeout: 30_000, message: `${crd.metadata.name} established` },
    );
  }
  return Client.fromKubeConfig(kc);
}
