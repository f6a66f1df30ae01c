// Every manifest users apply is accepted by the real API server: each object
// under operators/*/config, examples/*/config and a freshly scaffolded
// project's config/ goes through a server-side dry run (validation, defaults,
// admission; nothing persisted), and every kustomization renders.
//
// Custom resources (the samples) can only be dry-run once their CRD is
// served, so the CRDs of every kind a folder uses are applied for real first,
// wherever they are defined (the etcd samples include a Prometheus of the
// bundled Prometheus operator). The bundled operators' and examples' CRDs stay
// installed: other suites of the same run install the very same definitions
// and may be using them right now, and the run's cluster goes away with the
// run. The scaffold's CRD has a group unique to this run and is deleted.
// Namespaced objects are moved into this suite's namespace (the operators'
// own namespace need not exist); cluster-scoped ones are dry-run as written.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { Client } from '@switchboard/core';
import type { KubeObject } from '@switchboard/core';
import { createTestNamespace, installCrds, kubernetesBinary, testKubeConfig } from '@switchboard/testing';
import type { CrdManifest, TestNamespace } from '@switchboard/testing';
import { parseAllDocuments } from 'yaml';

import { newOperator } from '../src/scaffold/new.js';

const root = join(import.meta.dirname, '..', '..', '..');
const FIELD_MANAGER = 'switchboard-deployables-test';
const CRD_TYPE = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };

interface Manifest {
  /** File, relative to the repository (or the scaffold folder). */
  file: string;
  obj: KubeObject;
}

interface ConfigRoot {
  name: string;
  dir: string;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return entry.endsWith('.yaml') ? [path] : [];
    });
}

function manifestsOf(configRoot: ConfigRoot): Manifest[] {
  return yamlFiles(configRoot.dir)
    .filter((path) => !path.endsWith('kustomization.yaml'))
    .flatMap((path) =>
      parseAllDocuments(readFileSync(path, 'utf8'))
        .map((d) => d.toJS() as KubeObject | null)
        .filter((obj): obj is KubeObject => obj !== null && typeof obj === 'object')
        .map((obj) => ({ file: `${configRoot.name}/${relative(configRoot.dir, path)}`, obj })),
    );
}

const bundled: ConfigRoot[] = ['operators', 'examples'].flatMap((group) =>
  readdirSync(join(root, group))
    .filter((d) => existsSync(join(root, group, d, 'config')))
    .sort()
    .map((d) => ({ name: `${group}/${d}/config`, dir: join(root, group, d, 'config') })),
);

const scaffoldParent = mkdtempSync(join(tmpdir(), 'switchboard-deployables-'));
const scaffoldGroup = `dryrun${Math.random().toString(36).slice(2, 8)}.example.com`;
const scaffold: ConfigRoot = {
  name: 'scaffold/config',
  dir: join(newOperator(scaffoldParent, 'dryrun-operator', { group: scaffoldGroup }), 'config'),
};
const roots = [...bundled, scaffold];

let ns: TestNamespace;
let client: Client;
const installedCrds: string[] = [];

type DefinedCrd = CrdManifest & { spec: { group: string; names: { kind: string } } };

/** Every CRD defined under any of the config folders, once per name. */
const definedCrds: DefinedCrd[] = [
  ...new Map(
    roots
      .flatMap((r) => manifestsOf(r))
      .filter((m) => m.obj.kind === CRD_TYPE.kind)
      .map((m) => [m.obj.metadata.name, m.obj as DefinedCrd] as const),
  ).values(),
];

/** Applies the CRDs (from any config folder) whose kinds `manifests` use, and waits until each is served. */
async function installCrdsUsedBy(manifests: readonly Manifest[]): Promise<void> {
  const used = definedCrds.filter((crd) =>
    manifests.some(
      (m) => m.obj.kind === crd.spec.names.kind && m.obj.apiVersion?.startsWith(`${crd.spec.group}/`),
    ),
  );
  for (const crd of used) if (crd.spec.group === scaffoldGroup) installedCrds.push(crd.metadata.name ?? '');
  // Only the kinds' own objects are dry-run here, none they own.
  await installCrds(testKubeConfig(), used, { fieldManager: FIELD_MANAGER, waitForOwnerReferences: false });
}

/** The server's answer to a dry run of `obj` (moved into the test namespace when namespaced). */
async function dryRun(obj: KubeObject): Promise<KubeObject> {
  const type = { apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '' };
  const resource = await client.discovery.resourceFor(type);
  const placed: KubeObject = resource.namespaced
    ? { ...obj, metadata: { ...obj.metadata, namespace: ns.name } }
    : obj;
  return client.resource(type).apply(
    {
      ...placed,
      apiVersion: type.apiVersion,
      kind: type.kind,
      metadata: { ...placed.metadata, name: placed.metadata.name ?? '' },
    },
    { dryRun: true, force: true, fieldManager: FIELD_MANAGER },
  );
}

beforeAll(async () => {
  const kc = testKubeConfig();
  client = Client.fromKubeConfig(kc);
  ns = await createTestNamespace(kc, 'deployables');
});

afterAll(async () => {
  for (const name of installedCrds)
    await client
      ?.resource(CRD_TYPE)
      .delete({ name })
      .catch(() => undefined);
  await ns?.delete();
  client?.close();
  rmSync(scaffoldParent, { recursive: true, force: true });
});

describe.each(roots.map((r) => [r.name, r] as const))('%s', (_name, configRoot) => {
  const manifests = manifestsOf(configRoot);

  beforeAll(() => installCrdsUsedBy(manifests));

  it('holds manifests', () => {
    expect(manifests.length).toBeGreaterThan(0);
  });

  it.each(manifests.map((m) => [`${m.file}: ${m.obj.kind} ${m.obj.metadata.name}`, m] as const))(
    '%s is accepted by a server-side dry run',
    async (_label, { obj }) => {
      const answer = await dryRun(obj);
      expect({ kind: answer.kind, name: answer.metadata.name }).toEqual({
        kind: obj.kind,
        name: obj.metadata.name,
      });
    },
  );

  const kustomizations = yamlFiles(configRoot.dir).filter((p) => p.endsWith('kustomization.yaml'));
  // (memcached-decorators keeps only its generated CRD and role: nothing to render.)
  if (kustomizations.length > 0)
    it.each(kustomizations.map((p) => [relative(configRoot.dir, p)] as const))(
      '%s renders with kubectl kustomize',
      (file) => {
        const rendered = spawnSync(
          kubernetesBinary('kubectl'),
          ['kustomize', join(configRoot.dir, file, '..')],
          { encoding: 'utf8' },
        );
        expect({ status: rendered.status, stderr: rendered.stderr }).toEqual({ status: 0, stderr: '' });
        expect(rendered.stdout).toMatch(/^kind: /m);
      },
    );
});
