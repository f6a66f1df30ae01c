// Installs the operator's CRDs (EtcdCluster, EtcdBackup) into the test
// cluster (server-side apply, so suites can call it in any order and any
// number of times) and waits until the API server serves the kinds.
import type { KubeConfig } from '@kubernetes/client-node';
import { Client } from '@switchboard/core';
import type { KubeObject } from '@switchboard/core';
import { eventually } from '@switchboard/testing';

import { EtcdBackupResource } from '../../src/api/backup-crd.js';
import { etcdClusterCrd } from '../../src/api/crd.js';

interface CrdObject extends KubeObject {
  status?: { conditions?: { type: string; status: string }[] };
}

/** Applies the CRDs and resolves once they are Established; returns a fresh Client that can see the kinds. */
export async function installEtcdCrd(kc: KubeConfig): Promise<Client> {
  for (const crd of [etcdClusterCrd(), EtcdBackupResource.crd()]) await installCrd(kc, crd);
  return Client.fromKubeConfig(kc);
}

async function installCrd(kc: KubeConfig, crd: ReturnType<typeof etcdClusterCrd>): Promise<void> {
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
    { timeout: 30_000, message: `${crd.metadata.name} CRD established` },
  );
}
