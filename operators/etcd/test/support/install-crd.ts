// Installs the operator's CRDs (EtcdCluster, EtcdBackup) into the test
// cluster (server-side apply, so suites can call it in any order and any
// number of times) and waits until the API server serves the kinds and
// accepts controller references to them.
import type { KubeConfig } from '@kubernetes/client-node';
import { Client } from '@switchboard/core';
import { installCrds } from '@switchboard/testing';

import { EtcdBackupResource } from '../../src/api/backup-crd.js';
import { etcdClusterCrd } from '../../src/api/crd.js';

/** Applies the CRDs and resolves once they are usable; returns a fresh Client that can see the kinds. */
export async function installEtcdCrd(kc: KubeConfig): Promise<Client> {
  await installCrds(kc, [etcdClusterCrd(), EtcdBackupResource.crd()], {
    fieldManager: 'etcd-operator-tests',
  });
  return Client.fromKubeConfig(kc);
}
