// The etcd operator installed with its Helm chart (operators/etcd/chart) by a
// real `helm` on the local cluster's real node, its image the one the image
// builder put in the local registry: the release brings an EtcdCluster to
// Available, and `helm uninstall` then leaves nothing of the release behind
// but what the user owns: the CRDs (Helm never deletes those of crds/) and
// the member volumes the EtcdCluster retained when it was deleted.
//
// It installs with scope=namespace, so this operator watches only its own
// namespace and never competes with the operators other suites run; the
// chart's default cluster scope grants exactly config/rbac's rules, which
// deployed.test.ts proves on the same node. The CRDs stay installed at the
// end, as after every suite that installs them (installEtcdCrd).
import { join } from 'node:path';

import { jest } from '@jest/globals';
import type { ObjectKey } from '@switchboard/core';
import { AlreadyExistsError, Client, NotFoundError } from '@switchboard/core';
import {
  createTestNamespace,
  eventually,
  installChart,
  kubectl,
  testKubeConfig,
  testKubeconfigPath,
  whyNoHelm,
  whyNoNode,
} from '@switchboard/testing';
import type { HelmRelease, TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type { EtcdCluster } from '../../src/api/types.js';
import type { PersistentVolumeClaim, Pod } from '../../src/kube/kube-types.js';
import { PodType, PvcType } from '../../src/kube/kube-types.js';
import { CLUSTER_UID_LABEL, clusterSelectorString } from '../../src/kube/labels.js';
import { memberClients, waitHealthy } from '../support/etcd-cluster-probe.js';

const skipReason = (await whyNoNode()) ?? whyNoHelm();
if (skipReason) process.stderr.write(`etcd operator Helm e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
// One retry, with the first failure logged (see cluster-lifecycle.test.ts);
// installChart runs `helm upgrade --install`, so a retry picks up what the
// first attempt left.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

const CHART = join(import.meta.dirname, '..', '..', 'chart');
const V36 = '3.6.16';
const CRDS = ['etcdclusters.etcd.switchboard.dev', 'etcdbackups.etcd.switchboard.dev'];
const figures: string[] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describeE2E('etcd operator installed with its Helm chart', () => {
  const kc = skipReason ? undefined! : testKubeConfig();
  const kubeconfig = skipReason ? '' : testKubeconfigPath();
  let client: Client;
  let ns: TestNamespace;
  let release: HelmRelease | undefined;

  beforeAll(async () => {
    client = Client.fromKubeConfig(kc);
    // The operator and every member Pod meet the restricted Pod Security level.
    ns = await createTestNamespace(kc, 'etcd-helm', { podSecurity: 'restricted' });
  });

  afterAll(async () => {
    if (figures.length > 0)
      process.stderr.write(`etcd operator Helm e2e, figures:\n  ${figures.join('\n  ')}\n`);
    // A failed test may leave the release installed; the namespace takes the retained PVCs with it.
    await release?.uninstall().catch(() => undefined);
    await ns?.delete();
    client?.close();
  }, 240_000);

  it('runs an EtcdCluster; `helm uninstall` removes every object of the release, not the CRDs nor the retained volume', async () => {
    const started = Date.now();
    release = await installChart(kubeconfig, {
      chart: CHART,
      release: 'etcd',
      namespace: ns.name,
      set: { scope: 'namespace', replicas: '1' },
    });
    figures.push(`helm install -> operator ready: ${seconds(Date.now() - started)}`);
    expect([...new Set(release.objects.map((o) => o.kind))].sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);

    // An EtcdCluster of one member, reconciled by the installed operator alone.
    const clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
    const key: ObjectKey = { namespace: ns.name, name: 'helm' };
    const created = Date.now();
    await clusters
      .create({
        apiVersion: ETCD_API_VERSION,
        kind: ETCD_CLUSTER_KIND,
        metadata: { name: key.name, namespace: key.namespace },
        spec: { size: 1, version: V36, storage: { type: 'PersistentVolume', size: '256Mi' } },
      })
      .catch((err: unknown) => {
        if (!(err instanceof AlreadyExistsError)) throw err; // a retried test
      });
    await waitHealthy(client, key, 1, V36, 180_000);
    figures.push(`EtcdCluster of 1 created -> Available: ${seconds(Date.now() - created)}`);
    const [member] = await memberClients(client, key);
    await member!.put('/installed-with', 'helm');
    await member!.close();
    // This cluster's volume (by its uid: a retried test may find an earlier attempt's beside it).
    const uid = (await clusters.get(key)).metadata.uid ?? '';
    const pvcsOf = async () =>
      (
        await client.resource<PersistentVolumeClaim>(PvcType).list({
          namespace: ns.name,
          labelSelector: `${clusterSelectorString(key.name)},${CLUSTER_UID_LABEL}=${uid}`,
        })
      ).items;
    const pvcs = await pvcsOf();
    expect(pvcs).toHaveLength(1);

    // The user deletes the EtcdCluster first, while the operator runs, then uninstalls.
    await clusters.delete(key);
    await eventually(
      async () => {
        const pods = await client
          .resource<Pod>(PodType)
          .list({ namespace: ns.name, labelSelector: clusterSelectorString(key.name) });
        expect(pods.items.map((p) => p.metadata.name)).toEqual([]);
        await expect(clusters.get(key)).rejects.toThrow(NotFoundError);
      },
      { timeout: 120_000, interval: 1000, message: 'the EtcdCluster and its Pods gone' },
    );
    const uninstalling = Date.now();
    await release.uninstall();
    figures.push(`helm uninstall: ${seconds(Date.now() - uninstalling)}`);
    expect(await release.leftovers()).toEqual([]);

    // What the user owns stays: the CRDs, and the member's volume as the EtcdCluster retained it.
    for (const crd of CRDS)
      expect(await kubectl(kubeconfig, ['get', 'crd', crd, '-o', 'name'])).toBe(
        `customresourcedefinition.apiextensions.k8s.io/${crd}\n`,
      );
    expect((await pvcsOf()).map((p) => [p.metadata.uid, p.metadata.deletionTimestamp])).toEqual(
      pvcs.map((p) => [p.metadata.uid, undefined]),
    );
  }, 600_000);
});
