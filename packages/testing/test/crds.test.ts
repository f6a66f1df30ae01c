// installCrds and waitUntilOwnerKindsMapped against the real API server:
// right after they resolve, an operator that is not a cluster admin can
// create objects controlled by each new kind (the owner-reference admission maps the kind through a
// discovery cache refreshed only every 30 s, and refuses until then), and
// malformed definitions are refused before anything is applied.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from '@switchboard/core';

import {
  createTestNamespace,
  crdOwnerKind,
  eventually,
  installCrds,
  runAsServiceAccount,
  testKubeConfig,
  waitUntilOwnerKindsMapped,
} from '../src/index.js';
import type { CrdManifest, TestNamespace } from '../src/index.js';

const CRD_TYPE = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };
const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' };
// A group no other run or suite has seen: the API server's mapper cannot know it yet.
const group = `crds${Math.random().toString(36).slice(2, 8)}.example.com`;

/** A namespaced kind of {@link group}, e.g. `Widget`, plural `widgets`. */
function kindCrd(kind: string): CrdManifest {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: CRD_TYPE.apiVersion,
    kind: CRD_TYPE.kind,
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

const widgetCrd = (): CrdManifest => kindCrd('Widget');
const KINDS = ['Widget', 'Sprocket', 'Gizmo'];

let admin: Client;
let ns: TestNamespace;
let tmp: string;
beforeAll(async () => {
  admin = Client.fromKubeConfig(testKubeConfig());
  ns = await createTestNamespace(testKubeConfig(), 'crds');
  tmp = mkdtempSync(join(tmpdir(), 'switchboard-crds-'));
});
afterAll(async () => {
  for (const kind of KINDS)
    await admin
      ?.resource(CRD_TYPE)
      .delete({ name: `${kind.toLowerCase()}s.${group}` })
      .catch(() => undefined);
  await ns?.delete();
  admin?.close();
  rmSync(tmp, { recursive: true, force: true });
});

let operator: Client;

/** Creates `<kind> w` as the admin and a ConfigMap it controls as the operator (a ServiceAccount). */
async function createControlledChild(kind: string): Promise<void> {
  const owner = await admin
    .resource({ apiVersion: `${group}/v1`, kind })
    .create({ apiVersion: `${group}/v1`, kind, metadata: { name: 'w', namespace: ns.name } });
  const child = await operator.resource(CONFIG_MAP).create({
    ...CONFIG_MAP,
    metadata: {
      name: `${kind.toLowerCase()}-child`,
      namespace: ns.name,
      ownerReferences: [
        {
          apiVersion: `${group}/v1`,
          kind,
          name: 'w',
          uid: owner.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
  });
  expect(child.metadata.ownerReferences).toEqual([expect.objectContaining({ kind, name: 'w' })]);
}

describe('with an operator that is not a cluster admin', () => {
  beforeAll(async () => {
    writeFileSync(
      join(tmp, 'rbac.yaml'),
      `apiVersion: v1
kind: ServiceAccount
metadata: { name: widget-operator, namespace: widget-system }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: widget-operator }
rules:
  - { apiGroups: [''], resources: [configmaps], verbs: [create, get] }
  - { apiGroups: ['${group}'], resources: [widgets/finalizers, sprockets/finalizers, gizmos/finalizers], verbs: [update] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: widget-operator }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: widget-operator }
subjects: [{ kind: ServiceAccount, name: widget-operator, namespace: widget-system }]
`,
    );
    const identity = await runAsServiceAccount(testKubeConfig(), { rbacDir: tmp, namespace: ns.name });
    operator = Client.fromKubeConfig(identity.kubeConfig);
  });
  afterAll(() => operator?.close());

  it('installCrds resolves once the operator may create objects controlled by each new kind', async () => {
    await installCrds(testKubeConfig(), [widgetCrd(), kindCrd('Sprocket')]);

    await createControlledChild('Widget');
    await createControlledChild('Sprocket');

    // Again (another suite installing the same definition): a no-op that resolves at once.
    await installCrds(testKubeConfig(), [widgetCrd()]);
  });

  it('waitUntilOwnerKindsMapped resolves once a kind applied some other way is usable as an owner', async () => {
    const gizmo = kindCrd('Gizmo');
    await admin.resource(CRD_TYPE).create(gizmo);
    await eventually(
      () => admin.resource({ apiVersion: `${group}/v1`, kind: 'Gizmo' }).list({ namespace: ns.name }),
      {
        timeout: 30_000,
        message: 'Gizmo served',
      },
    );

    await waitUntilOwnerKindsMapped(testKubeConfig(), [crdOwnerKind(gizmo)]);

    await createControlledChild('Gizmo');
  });
});

it('refuses a definition without group, kind or versions before applying anything', async () => {
  const broken: CrdManifest = {
    ...widgetCrd(),
    metadata: { name: `gadgets.${group}` },
    spec: { group, names: { plural: 'gadgets' }, versions: [] },
  };
  await expect(installCrds(testKubeConfig(), [broken])).rejects.toThrow(
    `CRD gadgets.${group}: expected spec.group, spec.names.kind and spec.versions[].name`,
  );
  await expect(admin.resource(CRD_TYPE).get({ name: `gadgets.${group}` })).rejects.toMatchObject({
    code: 404,
  });
  await expect(installCrds(testKubeConfig(), [{ ...widgetCrd(), metadata: {} }])).rejects.toThrow(
    'a CRD to install has no metadata.name',
  );
});
