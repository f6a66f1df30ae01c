// The etcd operator and the bundled Prometheus operator together on the local
// cluster's real node: the objects of config/samples/etcdcluster-monitored.yaml
// (what operators/etcd/README.md tells a user to apply) make a Prometheus
// server that scrapes every etcd member through the ServiceMonitor the etcd
// operator applies. Asserted with PromQL through Prometheus's HTTP API, as a
// user would look: `up` is 1 for each member and etcd's own series are there.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { jest } from '@jest/globals';
import type { Client, KubeObject, ObjectKey } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig, whyNoNode } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';
import { parseAllDocuments } from 'yaml';

import { ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type { EtcdCluster } from '../../src/api/types.js';
import { ServiceMonitorType } from '../../src/kube/service-monitor.js';
import { installEtcdCrd } from '../support/install-crd.js';
import { memberPods, readCluster, waitHealthy } from '../support/etcd-cluster-probe.js';
import {
  describeTargets,
  installMonitoringCrds,
  instantQuery,
  lastConfigTime,
  prometheusPodIps,
  prometheusReady,
  runPrometheusOperator,
} from '../support/prometheus-server.js';
import type { InstantSample } from '../support/prometheus-server.js';
import { runOperator } from '../support/run-operator.js';
import type { RunningOperator } from '../support/run-operator.js';

const skipReason = await whyNoNode();
if (skipReason) process.stderr.write(`etcd + Prometheus operator e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
// One retry, with the first failure logged, as the other e2e suites: on a
// loaded 2-core machine the local cluster's DNS has dropped out for minutes.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

const SAMPLE = join(import.meta.dirname, '..', '..', 'config', 'samples', 'etcdcluster-monitored.yaml');

interface SampleObject extends KubeObject {
  apiVersion: string;
  kind: string;
  spec?: Record<string, unknown>;
  subjects?: { kind: string; name: string; namespace?: string }[];
}

/** The sample's objects, moved into `namespace` (metadata and ServiceAccount subjects). */
function sampleObjects(namespace: string): SampleObject[] {
  return parseAllDocuments(readFileSync(SAMPLE, 'utf8')).map((doc) => {
    const obj = doc.toJS() as SampleObject;
    return {
      ...obj,
      metadata: { ...obj.metadata, namespace },
      ...(obj.subjects
        ? { subjects: obj.subjects.map((s) => (s.kind === 'ServiceAccount' ? { ...s, namespace } : s)) }
        : {}),
    };
  });
}

function only(objects: SampleObject[], kind: string): SampleObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`${SAMPLE}: expected one ${kind}, found ${found.length}`);
  return found[0]!;
}

/** Member Pod name -> value of each series, failing unless every member has exactly one. */
function byMember(samples: InstantSample[], members: string[]): Map<string, string> {
  const values = new Map(samples.map((s) => [s.metric['pod'] ?? '', s.value]));
  expect([...values.keys()].sort()).toEqual([...members].sort());
  expect(samples).toHaveLength(members.length);
  return values;
}

describeE2E('etcd operator scraped by the bundled Prometheus operator', () => {
  const kc = skipReason ? undefined! : testKubeConfig();
  let client: Client;
  let ns: TestNamespace;
  let etcdOperator: RunningOperator | undefined;
  let prometheusOperator: RunningOperator | undefined;

  beforeAll(async () => {
    client = await installEtcdCrd(kc);
    await installMonitoringCrds(kc);
  });

  beforeEach(async () => {
    ns = await createTestNamespace(kc, 'etcd-prom');
    etcdOperator = await runOperator(kc, ns.name);
    prometheusOperator = await runPrometheusOperator(kc, ns.name);
  });

  afterEach(async () => {
    await etcdOperator?.stop();
    await prometheusOperator?.stop();
    await ns.delete();
  });

  it('scrapes all 3 members of an EtcdCluster through the ServiceMonitor the etcd operator applies', async () => {
    const objects = sampleObjects(ns.name);
    const prometheus = only(objects, 'Prometheus');
    const cluster = only(objects, ETCD_CLUSTER_KIND) as SampleObject & EtcdCluster;
    // Scraped every 2 s rather than the sample's 30 s, so the figure below
    // measures discovery and the first scrape, not the wait for a slot.
    prometheus.spec = { ...prometheus.spec, scrapeInterval: '2s' };
    if (process.env.ETCD_E2E_STORAGE === 'Ephemeral') cluster.spec.storage = { type: 'Ephemeral' };

    // Prometheus first and serving, so the figure leaves out its start.
    for (const obj of objects.filter((o) => o !== cluster)) await client.resource(obj).create(obj);
    const name = prometheus.metadata.name ?? '';
    const ip = await eventually(
      async () => {
        const [first, ...more] = await prometheusPodIps(client, ns.name, name);
        if (first === undefined || more.length > 0 || !(await prometheusReady(first)))
          throw new Error(`Prometheus pods: ${[first, ...more].join(', ')}`);
        return first;
      },
      { timeout: 180_000, interval: 1000, message: `Prometheus ${name} ready` },
    );

    const createdAt = Date.now();
    await client.resource(cluster).create(cluster);
    const key: ObjectKey = { namespace: ns.name, name: cluster.metadata.name ?? '' };
    const availableAt = await eventually(
      async () => {
        const { status } = await readCluster(client, key);
        if (status?.conditions?.find((c) => c.type === 'Available')?.status !== 'True')
          throw new Error(`status: ${JSON.stringify(status)}`);
        return Date.now();
      },
      { timeout: 180_000, interval: 250, message: `${key.name} Available` },
    );

    // The cluster grows to 3 members after it is Available (one membership
    // change at a time), so when all 3 members were ready is noted too.
    const selector = `namespace="${ns.name}",job="${key.name}"`;
    let allReadyAt: number | undefined;
    const upAt = await eventually(
      async () => {
        if (allReadyAt === undefined && (await readCluster(client, key)).status?.readyMembers === 3)
          allReadyAt = Date.now();
        const members = (await memberPods(client, key)).map((p) => p.metadata.name ?? '');
        expect(members).toHaveLength(3);
        const up = await instantQuery(ip, `up{${selector}}`);
        try {
          for (const value of byMember(up, members).values()) expect(value).toBe('1');
        } catch (err) {
          throw new Error(`${String(err)}\ntargets:\n${await describeTargets(ip)}`, { cause: err });
        }
        for (const s of up) expect(s.metric).toMatchObject({ service: key.name, endpoint: 'metrics' });
        return Date.now();
      },
      { timeout: 120_000, interval: 250, message: 'up == 1 for every member' },
    );
    process.stderr.write(
      `EtcdCluster Available -> 3 members' targets up in Prometheus (scrape interval 2 s): ${upAt - availableAt} ms\n`,
    );
    // Where the time went, from the EtcdCluster's creation: the etcd
    // operator's ServiceMonitor and the Prometheus operator's new config
    // loaded by Prometheus (both timestamps in whole seconds), the cluster
    // Available, all 3 members ready, all 3 targets up.
    const monitor = await client.resource(ServiceMonitorType).get(key);
    const since = (at: number | undefined): string =>
      at === undefined ? 'not seen' : `+${((at - createdAt) / 1000).toFixed(1)} s`;
    process.stderr.write(
      `EtcdCluster created -> ServiceMonitor created ${since(Date.parse(monitor.metadata.creationTimestamp ?? ''))}, ` +
        `Prometheus config last loaded ${since(await lastConfigTime(ip))}, Available ${since(availableAt)}, ` +
        `3 members ready ${since(allReadyAt)}, 3 targets up ${since(upAt)}\n`,
    );

    // etcd's own series, per member: each one has a leader once the cluster is healthy.
    await waitHealthy(client, key, 3, String(cluster.spec.version));
    await eventually(
      async () => {
        const members = (await memberPods(client, key)).map((p) => p.metadata.name ?? '');
        const hasLeader = await instantQuery(ip, `etcd_server_has_leader{${selector}}`);
        for (const value of byMember(hasLeader, members).values()) expect(value).toBe('1');
      },
      { timeout: 60_000, interval: 500, message: 'etcd_server_has_leader == 1 for every member' },
    );
  }, 600_000);
});
