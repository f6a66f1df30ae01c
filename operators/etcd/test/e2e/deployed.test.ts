// The etcd operator deployed as users deploy it: `kubectl apply -k
// config/default` with no edits puts its image (built by the image builder
// from what the Dockerfile describes) on the local cluster's real node, as
// two replicas under its own ServiceAccount; the test grants it nothing. It
// then reaches the API server through the `kubernetes` Service and the etcd
// members through their DNS names. Everything the kustomization installed
// (the CRD, the ClusterRole and binding included) is removed at the end, so
// suites after this one find the cluster as it was.
//
// The operator it installs watches every namespace: this suite must not run
// beside another that runs its own etcd operator (jest runs one suite at a
// time on the 2-core CI; keep it so, or run this one alone).
import { join } from 'node:path';

import { jest } from '@jest/globals';
import type { ObjectKey } from '@switchboard/core';
import { AlreadyExistsError, Client } from '@switchboard/core';
import {
  TEST_ENV,
  attachLocalCluster,
  createTestNamespace,
  deployOperator,
  leaseHandoverBoundMs,
  eventually,
  metricValue,
  podStartToReady,
  testKubeConfig,
  testKubeconfigPath,
  whyNoNode,
} from '@switchboard/testing';
import type { DeployedOperator, Faults, TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../../src/api/types.js';
import { PodType } from '../../src/kube/kube-types.js';
import { memberClients, memberPods, waitHealthy } from '../support/etcd-cluster-probe.js';

const clusterDir = process.env[TEST_ENV.clusterDir];
const skipReason = clusterDir
  ? await whyNoNode()
  : `${TEST_ENV.clusterDir} is not set (killing the leader needs the folder of a local cluster with nodes)`;
if (skipReason) process.stderr.write(`etcd operator deployed e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
// One retry, with the first failure logged (see cluster-lifecycle.test.ts);
// every test below can run again on the state the previous attempt left.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

const SYSTEM = 'etcd-operator-system';
const V36 = '3.6.16';
const STORAGE: EtcdClusterSpec['storage'] =
  process.env.ETCD_E2E_STORAGE === 'Ephemeral'
    ? { type: 'Ephemeral' }
    : { type: 'PersistentVolume', size: '256Mi' };
const figures: string[] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const CONTROLLERS = ['etcdcluster'];

describeE2E('etcd operator deployed from config/default', () => {
  const kc = skipReason ? undefined! : testKubeConfig();
  const kubeconfig = skipReason ? '' : testKubeconfigPath();
  let operator: DeployedOperator;
  let faults: Faults;
  let client: Client;
  let ns: TestNamespace;

  beforeAll(async () => {
    faults = (await attachLocalCluster(clusterDir!)).faults;
    operator = await deployOperator(kc, kubeconfig, {
      kustomization: join(import.meta.dirname, '..', '..', 'config', 'default'),
      namespace: SYSTEM,
      deployment: 'etcd-operator',
      leaseName: 'etcd-operator-leader',
    });
    client = Client.fromKubeConfig(kc);
    ns = await createTestNamespace(kc, 'etcd-deployed');
  }, 240_000);

  afterAll(async () => {
    if (figures.length > 0)
      process.stderr.write(`etcd operator deployed, figures:\n  ${figures.join('\n  ')}\n`);
    // The test's namespace first, while the operator runs, then everything the kustomization made.
    await operator?.uninstall({ namespacesFirst: ns ? [ns.name] : [] });
  }, 300_000);

  async function createCluster(name: string, size: number): Promise<ObjectKey> {
    try {
      await client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND }).create({
        apiVersion: ETCD_API_VERSION,
        kind: ETCD_CLUSTER_KIND,
        metadata: { name, namespace: ns.name },
        spec: { size, version: V36, storage: STORAGE },
      });
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err; // a retried test
    }
    return { namespace: ns.name, name };
  }

  /** The Lease holder, once there is one. */
  const leader = () => operator.nextLeader(undefined, 60_000);

  it('runs as two Pods, Ready through /readyz, one of them holding the leader-election Lease', async () => {
    const pods = await operator.waitReady(2);
    for (const p of pods) {
      const container = p.spec?.containers[0];
      expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(container?.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(p.spec?.serviceAccountName).toBe('etcd-operator');
      const timing = podStartToReady(p);
      if (timing)
        figures.push(
          `${p.metadata?.name}: created -> Ready ${timing.createdToReadyS} s, container start -> Ready ${timing.startedToReadyS} s`,
        );
    }
    const holder = await leader();
    expect(pods.map((p) => p.metadata?.name)).toContain(holder.pod);
    // The standby is Ready too (caches synced), and reports itself not leading.
    const leading = await Promise.all(
      pods.map(async (p) =>
        metricValue(await operator.metrics(p), 'leader_election_master_status', {
          name: 'etcd-operator-leader',
        }),
      ),
    );
    expect(leading.sort()).toEqual([0, 1]);
  });

  it('has exactly the permissions of its manifests (RBAC enforced, nothing granted by the test)', async () => {
    const can = (...args: string[]) => operator.can(...args);
    expect(await can('create', 'pods', '-n', ns.name)).toBe(true);
    expect(
      await can('patch', 'etcdclusters.etcd.switchboard.dev', '--subresource=status', '-n', ns.name),
    ).toBe(true);
    expect(await can('update', 'leases.coordination.k8s.io', '-n', SYSTEM)).toBe(true);
    // Secrets: read one by name (TLS, S3 credentials), create and renew generated certificates;
    // never list, watch or delete them.
    expect(await can('get', 'secrets', '-n', ns.name)).toBe(true);
    expect(await can('list', 'secrets', '-n', ns.name)).toBe(false);
    expect(await can('watch', 'secrets', '-n', ns.name)).toBe(false);
    expect(await can('delete', 'secrets', '-n', ns.name)).toBe(false);
    // Nothing beyond: no changes to the spec users own, no Leases of other components.
    expect(await can('update', 'etcdclusters.etcd.switchboard.dev', '-n', ns.name)).toBe(false);
    expect(await can('update', 'leases.coordination.k8s.io', '-n', 'kube-system')).toBe(false);
    expect(await can('create', 'clusterrolebindings')).toBe(false);
    // The only bindings naming the account are the manifests' own.
    expect(await operator.bindings()).toEqual([
      'ClusterRoleBinding/etcd-operator',
      `RoleBinding/${SYSTEM}/etcd-operator-leader-election`,
    ]);
  });

  it('brings an EtcdCluster of 3 to Available though its leading Pod is deleted mid-reconcile: the Deployment replaces it and the standby takes over', async () => {
    const before = await operator.waitReady(2);
    const oldLeader = await leader();
    const key = await createCluster('alpha', 3);
    // Mid-reconcile: the first member exists, the cluster is not complete yet.
    await eventually(
      async () => {
        const pods = await memberPods(client, key);
        if (pods.length === 0) throw new Error('no member Pod yet');
      },
      { timeout: 60_000, interval: 200, message: 'first member Pod' },
    );
    const deletedAt = Date.now();
    await client.resource(PodType).delete({ namespace: SYSTEM, name: oldLeader.pod });
    const newLeader = await operator.nextLeader(oldLeader, 60_000);
    figures.push(`leader Pod deleted (graceful) -> another Pod leads: ${seconds(Date.now() - deletedAt)}`);
    // The standby usually wins; the Deployment's replacement Pod may win the
    // race for a released or expired Lease instead. Either is a hand-over.
    expect(newLeader.pod).not.toBe(oldLeader.pod);
    expect(before.length).toBe(2);
    const after = await operator.waitReady(2);
    expect(after.map((p) => p.metadata?.name)).not.toContain(oldLeader.pod);

    await waitHealthy(client, key, 3, V36, 180_000);
    figures.push(
      `EtcdCluster of 3 created -> Available, leader replaced on the way: ${seconds(Date.now() - deletedAt)}`,
    );
    const [first, ...rest] = await memberClients(client, key);
    await first!.put('/deployed', 'yes');
    for (const c of rest)
      await eventually(async () => expect(await c.get('/deployed', { serializable: true })).toBe('yes'));
  });

  it('replaces a deleted member Pod, keeping the data', async () => {
    const key = { namespace: ns.name, name: 'alpha' };
    await waitHealthy(client, key, 3, V36);
    const c = (await memberClients(client, key))[0]!;
    await c.put('/kept', 'yes');
    const victim = (await memberPods(client, key))[1]!;
    const deletedAt = Date.now();
    await client.resource(PodType).delete({ namespace: ns.name, name: victim.metadata.name! });
    // Replaced: three member Pods again, Ready, none of them the deleted one.
    await eventually(
      async () => {
        const pods = await memberPods(client, key);
        const ready = pods.filter((p) =>
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        if (pods.some((p) => p.metadata.uid === victim.metadata.uid) || ready.length !== 3)
          throw new Error(
            `member Pods: ${pods.map((p) => `${p.metadata.name} ready=${ready.includes(p)}`).join(', ')}`,
          );
      },
      { timeout: 120_000, interval: 250, message: 'the deleted member replaced' },
    );
    await waitHealthy(client, key, 3, V36, 120_000);
    figures.push(`member Pod deleted -> 3 healthy again: ${seconds(Date.now() - deletedAt)}`);
    for (const m of await memberClients(client, key))
      await eventually(async () => expect(await m.get('/kept')).toBe('yes'));
  });

  it('reconciles on exactly one replica, and a killed leader hands over within the lease duration', async () => {
    await operator.waitReady(2);
    await operator.waitOnlyLeaderReconciles(CONTROLLERS);
    // SIGKILL: no graceful release, so the standby waits for the Lease to expire.
    const { previous, next, leaseHandoverMs, observedMs } = await operator.killLeader((pod) =>
      faults.killContainer({ namespace: SYSTEM, name: pod, container: 'manager' }),
    );
    figures.push(
      `leader SIGKILLed -> new leader: ${seconds(observedMs)} (Lease: last renewal -> acquired ${seconds(leaseHandoverMs)}, lease ${previous.leaseDurationSeconds} s)`,
    );
    // The standby usually wins the expired Lease; the killed container,
    // restarted by the kubelet in the same Pod, may win the race instead.
    // Either way a new process (identity `<pod>_<uuid>`) leads.
    expect(next.identity).not.toBe(previous.identity);
    expect(leaseHandoverMs).toBeLessThan(leaseHandoverBoundMs(previous.leaseDurationSeconds));

    // The killed container restarts in its Pod as the standby; the new leader does the work.
    const since = await operator.reconcileCounts(await operator.waitReady(2), CONTROLLERS);
    expect((await operator.waitOnlyLeaderReconciles(CONTROLLERS, since)).pod).toBe(next.pod);
    await waitHealthy(client, { namespace: ns.name, name: 'alpha' }, 3, V36);
  });

  it('stays well inside its memory limit at rest with 3 EtcdClusters', async () => {
    await Promise.all([createCluster('beta', 1), createCluster('gamma', 1)]);
    for (const name of ['alpha', 'beta', 'gamma'])
      await waitHealthy(client, { namespace: ns.name, name }, name === 'alpha' ? 3 : 1, V36, 120_000);
    const holder = await leader();
    const pod = (await operator.pods()).find((p) => p.metadata?.name === holder.pod)!;
    // At rest: every cluster converged, each looked at every 30 s.
    const rss = metricValue(await operator.metrics(pod), 'process_resident_memory_bytes');
    const heap = metricValue(await operator.metrics(pod), 'nodejs_heap_size_used_bytes');
    figures.push(
      `leader at rest with 3 EtcdClusters (5 members): RSS ${(rss / 2 ** 20).toFixed(0)} MiB, heap used ${(heap / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(rss).toBeGreaterThan(0);
    expect(rss).toBeLessThan(384 * 2 ** 20); // the Deployment's memory limit
  });
});
