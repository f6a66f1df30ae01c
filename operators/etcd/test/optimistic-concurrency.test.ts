// Two writers, one choice, against the real API server (no node needed; the
// member Pods are never scheduled, are given a Running status by hand, and
// etcd is a fake that lists one member): a destructive step whose intent cannot be recorded on
// the EtcdCluster as read is not taken, and a Pod recreated under the same
// name since the observation is never deleted.
import type { Client, ObjectKey, ResourceClient, TypeMeta } from '@switchboard/core';
import { Outcome, keyString, objectKey } from '@switchboard/core';
import { createTestNamespace, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../src/api/types.js';
import type { EtcdCluster } from '../src/api/types.js';
import type { EventSink } from '../src/controller/step-context.js';
import { executeStep } from '../src/controller/execute-step.js';
import { observeCluster } from '../src/controller/observe-cluster.js';
import { reconcileEtcdCluster } from '../src/controller/reconcile-cluster.js';
import type { EtcdClientFactory, EtcdEndpointClient } from '../src/etcd/etcd-client.js';
import type { PersistentVolumeClaim, Pod } from '../src/kube/kube-types.js';
import { PodType, PvcType } from '../src/kube/kube-types.js';
import { memberPod, memberPvc } from '../src/kube/member-pod.js';
import { peerURL } from '../src/runbook/member-names.js';
import type { Step } from '../src/runbook/step.js';
import { installEtcdCrd } from './support/install-crd.js';
import { endpointStatus } from './support/observation-fixture.js';

let ns: TestNamespace;
let client: Client;
let clusters: ResourceClient<EtcdCluster>;
let pods: ResourceClient<Pod>;
const events: string[] = [];
const sink: EventSink = {
  record: (_c, type, reason) => Promise.resolve(void events.push(`${type} ${reason}`)),
};

beforeAll(async () => {
  const kc = testKubeConfig();
  client = await installEtcdCrd(kc);
  ns = await createTestNamespace(kc, 'etcd-concurrency');
  clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
  pods = client.resource<Pod>(PodType);
});

afterAll(async () => {
  await ns?.delete();
});

/**
 * A Pod of `cluster` running at `ip`: never scheduled (a scheduling gate), so
 * no kubelet touches it and its status is the one written here.
 */
async function runningPod(cluster: EtcdCluster, member: string, ip: string): Promise<Pod> {
  const pod = memberPod(cluster, member, { state: 'existing', initialCluster: [] });
  await pods.create({ ...pod, spec: { ...pod.spec, schedulingGates: [{ name: 'example.com/never' }] } });
  return pods.status.patch(
    { namespace: ns.name, name: member },
    {
      type: 'merge',
      body: {
        status: {
          phase: 'Running',
          podIP: ip,
          podIPs: [{ ip }],
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      },
    },
  );
}

/**
 * A one-member cluster `<name>` (member `<name>-a`) with a leftover Pod and
 * PVC `<name>-x` of no member: the runbook's next step is deleting that Pod.
 */
async function clusterWithLeftover(name: string): Promise<{ key: ObjectKey; cluster: EtcdCluster }> {
  const key = { namespace: ns.name, name };
  await clusters.create({
    apiVersion: ETCD_API_VERSION,
    kind: ETCD_CLUSTER_KIND,
    metadata: { name, namespace: ns.name },
    spec: { size: 1, version: '3.6.16', storage: { type: 'PersistentVolume', size: '64Mi' } },
  });
  const cluster = await clusters.status.patch(key, { type: 'merge', body: { status: { clusterID: 'c1' } } });
  await runningPod(cluster, `${name}-a`, '10.250.0.1');
  await runningPod(cluster, `${name}-x`, '10.250.0.2');
  await client.resource<PersistentVolumeClaim>(PvcType).create(memberPvc(cluster, `${name}-x`));
  return { key, cluster: await clusters.get(key) };
}

/** etcd as member `<name>-a` of cluster c1 answers it, on any endpoint. */
function oneMemberEtcd(name: string): EtcdClientFactory {
  return (endpoint) =>
    ({
      endpoint,
      memberList: () =>
        Promise.resolve({
          clusterId: 'c1',
          members: [
            {
              id: 'a1',
              name: `${name}-a`,
              peerURLs: [peerURL(name, ns.name, `${name}-a`)],
              clientURLs: [],
              isLearner: false,
            },
          ],
        }),
      status: () => Promise.resolve(endpointStatus('a1', 'c1')),
      health: () => Promise.resolve(true),
      alarms: () => Promise.resolve([]),
    }) as unknown as EtcdEndpointClient;
}

/** `client`, except that another writer changes the EtcdCluster just before each of our status writes. */
function withRacingWriter(key: ObjectKey): Client {
  return {
    resource: (type: TypeMeta) => {
      const real = client.resource(type);
      if (type.kind !== ETCD_CLUSTER_KIND) return real;
      const status = real.status;
      return Object.assign(Object.create(real) as typeof real, {
        status: {
          ...status,
          patch: async (...args: Parameters<typeof status.patch>) => {
            await clusters.patch(key, {
              type: 'merge',
              body: { metadata: { annotations: { 'example.com/other-writer': String(Date.now()) } } },
            });
            return status.patch(...args);
          },
        },
      });
    },
  } as unknown as Client;
}

describe('two writers in overlapping leases', () => {
  it('takes no destructive step whose intent another writer overtook, and takes it on the next pass', async () => {
    const { key } = await clusterWithLeftover('race');
    const steps: Step[] = [];
    const deps = {
      etcd: oneMemberEtcd('race'),
      events: sink,
      onStep: (_k: ObjectKey, step: Step) => void steps.push(step),
    };
    const result = await reconcileEtcdCluster(
      { ...key, key: keyString(key) },
      { ...deps, client: withRacingWriter(key) },
    );
    expect(steps).toEqual([{ kind: 'DeleteOrphan', member: 'race-x', pod: true, pvc: false }]);
    expect(result).toEqual(Outcome.requeueAfter(2000));
    // Nothing acted on: the leftover Pod is still there, no step Event, no intent recorded.
    const leftover = await pods.get({ namespace: ns.name, name: 'race-x' });
    expect(leftover.metadata.deletionTimestamp).toBeUndefined();
    expect(events).not.toContain('Normal DeleteOrphan');
    expect((await clusters.get(key)).status?.conditions).toBeUndefined();

    await reconcileEtcdCluster({ ...key, key: keyString(key) }, { ...deps, client });
    expect(steps[1]).toEqual(steps[0]);
    const gone = await pods.get({ namespace: ns.name, name: 'race-x' }).catch((err: unknown) => err);
    expect(gone).toMatchObject({ code: 404 });
    expect(events).toContain('Normal DeleteOrphan');
  });

  it('never deletes a Pod recreated under the same name since the observation, and stops the step there', async () => {
    const { cluster } = await clusterWithLeftover('stale');
    const obs = await observeCluster(client, cluster, oneMemberEtcd('stale'));
    const observedUid = obs.pods.get('stale-x')?.uid;
    expect(observedUid).toBeDefined();
    // Meanwhile (say, another replica acted on it) the Pod is deleted and a new one takes its name.
    await pods.delete({ namespace: ns.name, name: 'stale-x' }, { gracePeriodSeconds: 0 });
    const recreated = await runningPod(cluster, 'stale-x', '10.250.0.3');
    expect(recreated.metadata.uid).not.toBe(observedUid);

    const step: Step = { kind: 'DeleteOrphan', member: 'stale-x', pod: true, pvc: true };
    const result = await executeStep(
      { client, key: objectKey(cluster), etcd: oneMemberEtcd('stale'), events: sink },
      cluster,
      obs,
      step,
    );
    expect(result).toEqual(Outcome.requeueAfter(2000));
    expect(events).toContain('Normal StaleObservation');
    const still = await pods.get({ namespace: ns.name, name: 'stale-x' });
    expect(still.metadata).toMatchObject({ uid: recreated.metadata.uid });
    expect(still.metadata.deletionTimestamp).toBeUndefined();
    // The step did not go on to the PVC.
    const pvc = await client
      .resource<PersistentVolumeClaim>(PvcType)
      .get({ namespace: ns.name, name: 'stale-x' });
    expect(pvc.metadata.deletionTimestamp).toBeUndefined();
  });
});
