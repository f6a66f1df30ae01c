// Installs the EtcdCluster CRD into the test cluster (server-side apply, so
// suites can call it in any order and any number of times) and waits until
// the API server serves the kind.
import type { KubeConfig } from '@kubernetes/client-node';
import { Client } from '@switchboard/core';
import type { KubeObject } from '@switchboard/core';
import { eventually } from '@switchboard/testing';

import { etcdClusterCrd } from '../../src/api/crd.js';

interface CrdObject extends KubeObject {
  status?: { conditions?: { type: string; status: string }[] };
}

/** Applies the CRD and resolves once it is Established; returns a fresh Client that can see the kind. */
export async function installEtcdCrd(kc: KubeConfig): Promise<Client> {
  const crd = etcdClusterCrd();
  const crds = Client.fromKubeConfig(kc).resource<CrdObject>({
    apiVersion: crd.apiVersion,
    kind: crd.kind,
  });
  await crds.apply(crd, { fieldManager: 'etcd-operator-tests', force: true });
  await eventually(
    async () => {
      const live = await crds.get({ name: crd.metadata.name });
      const established = live.status?.conditions?.find((c) => c.type === 'Established');
      if (established?.status !== 'True')
        throw new Error(`CRD not established: ${JSON.stringify(live.status)}`);
    },
    { timeout: 30_000, message: 'EtcdCluster CRD established' },
  );
  return Client.fromKubeConfig(kc);
}
