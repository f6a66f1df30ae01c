// Installs the monitoring.coreos.com CRDs into the test cluster (server-side
// apply: any order, any number of times) and waits until each is usable.
import { Client } from '@switchboard/core';
import { installCrds } from '@switchboard/testing';
import type { testKubeConfig } from '@switchboard/testing';

import { monitoringCrds } from '../../src/crd/crds.js';

/** Applies the five CRDs; resolves with a fresh Client once all are served. */
export async function installMonitoringCrds(kc: ReturnType<typeof testKubeConfig>): Promise<Client> {
  await installCrds(kc, monitoringCrds(), { fieldManager: 'prometheus-operator-tests' });
  return Client.fromKubeConfig(kc);
}
