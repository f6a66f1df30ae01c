// A member PVC made by an operator that ran members as root holds a data
// folder only root can read (etcd creates it 0700). Against the real API
// server (no node needed: the Pods are only created, never run): a member
// restarted on such a PVC runs as root, without capabilities; one on a PVC
// this operator made runs as the non-root member user. The Pods are owned by
// a real EtcdCluster object: one owned by a made-up UID is deleted by the
// controller-manager's garbage collector before the test can read it.
import type { Client } from '@switchboard/core';
import { testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { EtcdClusterResource } from '../src/api/crd.js';
import type { EtcdCluster } from '../src/api/types.js';
import { startMember } from '../src/controller/member-objects.js';
import type { PersistentVolumeClaim, Pod } from '../src/kube/kube-types.js';
import { PodType, PvcType } from '../src/kube/kube-types.js';
import { DATA_OWNER_ANNOTATION } from '../src/kube/labels.js';
import { memberPvc } from '../src/kube/member-pod.js';
import { MEMBER_UID } from '../src/kube/pod-security.js';
import { namespaceAdmittingPods } from './support/pod-namespace.js';

let ns: TestNamespace;
let client: Client;
let cluster: EtcdCluster;

beforeAll(async () => {
  ({ client, ns } = await namespaceAdmittingPods(testKubeConfig(), 'etcd-root-data'));
  cluster = await EtcdClusterResource.client(client).create({
    apiVersion: EtcdClusterResource.apiVersion,
    kind: EtcdClusterResource.kind,
    metadata: { name: 'web', namespace: ns.name },
    spec: { size: 3, version: '3.6.16', storage: { type: 'PersistentVolume', size: '1Gi' } },
  });
});

afterAll(async () => {
  await ns?.delete();
});

const podOf = (name: string) => client.resource<Pod>(PodType).get({ namespace: ns.name, name });
const boot = { state: 'existing' as const, initialCluster: [] };

describe('a member restarted on its PVC', () => {
  it('runs as root, without capabilities, when an older operator made the PVC (no data-owner annotation)', async () => {
    const { annotations: _mine, ...metadata } = memberPvc(cluster, 'web-old01').metadata;
    await client
      .resource<PersistentVolumeClaim>(PvcType)
      .create({ ...memberPvc(cluster, 'web-old01'), metadata });
    await startMember({ client }, cluster, 'web-old01', boot);
    const pod = await podOf('web-old01');
    expect(pod.spec?.securityContext?.runAsUser).toBe(0);
    expect(pod.spec?.containers[0]?.securityContext?.capabilities).toEqual({ drop: ['ALL'] });
  });

  it('runs as the member user when this operator made the PVC, and a new PVC names that user', async () => {
    await startMember({ client }, cluster, 'web-new01', boot);
    const pvc = await client
      .resource<PersistentVolumeClaim>(PvcType)
      .get({ namespace: ns.name, name: 'web-new01' });
    expect(pvc.metadata.annotations?.[DATA_OWNER_ANNOTATION]).toBe(String(MEMBER_UID));
    const pod = await podOf('web-new01');
    expect(pod.spec?.securityContext?.runAsUser).toBe(MEMBER_UID);
    expect(pod.spec?.securityContext?.runAsNonRoot).toBe(true);
  });
});
