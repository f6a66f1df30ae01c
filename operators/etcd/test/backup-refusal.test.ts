// A snapshot Job the API server refuses, against the real API server (no
// node needed: nothing runs): the namespace's ResourceQuota allows no Jobs,
// so admission refuses the Job the backup pass renders (403 exceeded quota).
// The pass ends with the backup Pending, Succeeded False RefusedByAPIServer
// with the API server's message, and one Warning Event however many passes
// meet the same refusal; it looks again after REFUSED_RETRY_MS.
import type { Client, EventInput, EventRecorder } from '@switchboard/core';
import { Outcome } from '@switchboard/core';
import { eventually, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { EtcdBackupResource } from '../src/api/backup-crd.js';
import { EtcdClusterResource } from '../src/api/crd.js';
import { REFUSED_RETRY_MS, reconcileEtcdBackup } from '../src/controller/reconcile-backup.js';
import type { PersistentVolumeClaim, Pod } from '../src/kube/kube-types.js';
import { PodType, PvcType } from '../src/kube/kube-types.js';
import { clusterSelector } from '../src/kube/labels.js';
import { namespaceAdmittingPods } from './support/pod-namespace.js';

let ns: TestNamespace;
let client: Client;

beforeAll(async () => {
  ({ client, ns } = await namespaceAdmittingPods(testKubeConfig(), 'etcd-backup-refusal'));
  // The source: an EtcdCluster whose status says Available with one healthy voter whose Pod has an IP.
  const clusters = EtcdClusterResource.client(client);
  await clusters.create({
    apiVersion: EtcdClusterResource.apiVersion,
    kind: EtcdClusterResource.kind,
    metadata: { name: 'main', namespace: ns.name },
    spec: { size: 1, version: '3.6.16', storage: { type: 'PersistentVolume', size: '1Gi' } },
  });
  await clusters.status.patch(
    { namespace: ns.name, name: 'main' },
    {
      type: 'merge',
      body: {
        status: {
          currentVersion: '3.6.16',
          members: [
            {
              name: 'main-a',
              id: '8e9e05c52164694d',
              peerURL: 'http://main-a.main.ns.svc:2380',
              healthy: true,
              learner: false,
              leader: true,
            },
          ],
          conditions: [
            {
              type: 'Available',
              status: 'True',
              reason: 'Quorum',
              message: '1 of 1 voters healthy',
              lastTransitionTime: new Date().toISOString(),
            },
          ],
        },
      },
    },
  );
  const pods = client.resource<Pod>(PodType);
  // Never scheduled (no node has the label), so no kubelet writes its status but the test.
  await pods.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'main-a', namespace: ns.name, labels: clusterSelector('main') },
    spec: {
      nodeSelector: { 'etcd.switchboard.dev/test': 'no-such-node' },
      containers: [{ name: 'etcd', image: 'quay.io/coreos/etcd:v3.6.16' }],
    },
  });
  await pods.status.patch(
    { namespace: ns.name, name: 'main-a' },
    { type: 'merge', body: { status: { podIP: '10.0.0.7', podIPs: [{ ip: '10.0.0.7' }] } } },
  );
  await client.resource<PersistentVolumeClaim>(PvcType).create({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'backups', namespace: ns.name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
  await client
    .resource<{ apiVersion: string; kind: string; metadata: object; spec: { hard: Record<string, string> } }>(
      {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
      },
    )
    .create({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'no-jobs', namespace: ns.name },
      spec: { hard: { 'count/jobs.batch': '0' } },
    });
  // The quota is enforced once its controller has written what is used.
  await eventually(
    async () => {
      const quota = await client
        .resource<{ metadata: object; status?: { used?: Record<string, string> } }>({
          apiVersion: 'v1',
          kind: 'ResourceQuota',
        })
        .get({ namespace: ns.name, name: 'no-jobs' });
      expect(quota.status?.used?.['count/jobs.batch']).toBe('0');
    },
    { timeout: 60_000, message: 'the ResourceQuota counted' },
  );
});

afterAll(async () => {
  await ns?.delete();
});

describe('a snapshot Job the API server refuses', () => {
  it('leaves the backup Pending with Succeeded False RefusedByAPIServer, and one Warning Event', async () => {
    const backups = EtcdBackupResource.client(client);
    await backups.create({
      apiVersion: EtcdBackupResource.apiVersion,
      kind: EtcdBackupResource.kind,
      metadata: { name: 'nightly', namespace: ns.name },
      spec: { clusterName: 'main', destination: { pvc: { claimName: 'backups' } } },
    });
    const events: string[] = [];
    const recorder = {
      record: (_: unknown, input: EventInput) =>
        Promise.resolve(void events.push(`${input.type} ${input.reason}`)),
    } as unknown as EventRecorder;
    const key = { namespace: ns.name, name: 'nightly', key: `${ns.name}/nightly` };
    for (let pass = 0; pass < 3; pass++) {
      const outcome = await reconcileEtcdBackup(key, { client, recorder });
      expect(outcome).toEqual(Outcome.requeueAfter(REFUSED_RETRY_MS));
    }
    const backup = await backups.get(key);
    expect(backup.status?.phase).toBe('Pending');
    const succeeded = backup.status?.conditions?.find((c) => c.type === 'Succeeded');
    expect(succeeded).toMatchObject({ status: 'False', reason: 'RefusedByAPIServer' });
    expect(succeeded?.message).toMatch(/exceeded quota/);
    expect(events.filter((e) => e === 'Warning RefusedByAPIServer')).toHaveLength(1);
    // Nothing was created behind the refusal.
    const jobs = await client.resource({ apiVersion: 'batch/v1', kind: 'Job' }).list({ namespace: ns.name });
    expect(jobs.items).toEqual([]);
  });
});
