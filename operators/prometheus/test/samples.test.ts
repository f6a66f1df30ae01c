// The samples in config/samples are what users copy first: each monitoring
// object in them must be accepted by the CRDs as written, with no field
// pruned away (a server-side dry run returns the object as it would be
// stored).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, KubeObject } from '@switchboard/core';
import { createTestNamespace, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';
import { parseAllDocuments } from 'yaml';
import { MONITORING_API_VERSION } from '../src/api/index.js';
import { installMonitoringCrds } from './support/install-crds.js';

interface SampleObject extends KubeObject {
  spec: Record<string, unknown>;
}

const dir = join(import.meta.dirname, '..', 'config', 'samples');
const samples = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => ({
      file,
      obj: d.toJS() as SampleObject,
    })),
  )
  .filter((s) => s.obj.apiVersion === MONITORING_API_VERSION);

let ns: TestNamespace;
let client: Client;

beforeAll(async () => {
  const kc = testKubeConfig();
  client = await installMonitoringCrds(kc);
  ns = await createTestNamespace(kc, 'prom-samples');
});

afterAll(async () => {
  await ns?.delete();
});

it('has a sample of every kind', () => {
  expect(samples.map((s) => s.obj.kind).sort()).toEqual([
    'Alertmanager',
    'PodMonitor',
    'Prometheus',
    'PrometheusRule',
    'ServiceMonitor',
  ]);
});

it.each(samples.map((s) => [`${s.file}: ${s.obj.kind}`, s.obj] as const))(
  '%s is accepted as written',
  async (_name, obj) => {
    const stored = await client
      .resource<SampleObject>({ apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '' })
      .create({ ...obj, metadata: { ...obj.metadata, namespace: ns.name } }, { dryRun: true });
    expect(stored.spec).toMatchObject(obj.spec);
  },
);
