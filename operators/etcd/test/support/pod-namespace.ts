// A test namespace that admits Pods, with the etcd operator's CRDs
// installed: the API server refuses Pods in a namespace until the
// controller-manager has made its default ServiceAccount.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Client } from '@switchboard/core';
import { createTestNamespace, eventually } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { installEtcdCrd } from './install-crd.js';

/** Installs the CRDs, creates a namespace named from `prefix`, and waits until Pods are admitted there. */
export async function namespaceAdmittingPods(
  kc: KubeConfig,
  prefix: string,
): Promise<{ client: Client; ns: TestNamespace }> {
  const client = await installEtcdCrd(kc);
  const ns = await createTestNamespace(kc, prefix);
  await eventually(
    () =>
      client
        .resource({ apiVersion: 'v1', kind: 'ServiceAccount' })
        .get({ namespace: ns.name, name: 'default' }),
    { timeout: 60_000, message: 'the default ServiceAccount' },
  );
  return { client, ns };
}
