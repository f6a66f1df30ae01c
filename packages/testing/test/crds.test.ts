// installCrds against the real API server: right after it resolves, an
// operator that is not a cluster admin can create an object controlled by
// the new kind (the owner-reference admission maps the kind through a
// discovery cache refreshed only every 30 s, and refuses until then), and
// malformed definitions are refused before anything is applied.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from '@switchboard/core';

import { createTestNamespace, installCrds, runAsServiceAccount, testKubeConfig } from '../src/index.js';
import type { CrdManifest, TestNamespace } from '../src/index.js';

const CRD_TYPE = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };
const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' };
// A group no other run or suite has seen: the API server's mapper cannot know it yet.
const group = `crds${Math.random().toString(36).slice(2, 8)}.example.com`;

function widgetCrd(): CrdManifest {
  return {
    apiVersion: CRD_TYPE.apiVersion,
    kind: CRD_TYPE.kind,
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
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

let admin: Client;
let ns: TestNamespace;
let tmp: string;
beforeAll(async () => {
  admin = Client.fromKubeConfig(testKubeConfig());
  ns = await createTestNamespace(testKubeConfig(), 'crds');
  tmp = mkdtempSync(join(tmpdir(), 'switchboard-crds-'));
});
afterAll(async () => {
  await admin
    ?.resource(CRD_TYPE)
    .delete({ name: `widgets.${group}` })
    .catch(() => undefined);
  await ns?.delete();
  admin?.close();
  rmSync(tmp, { recursive: true, force: true });
});

it('resolves once an operator (not an admin) may create objects controlled by the new kind', async () => {
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
  - { apiGroups: ['${group}'], resources: [widgets/finalizers], verbs: [update] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: widget-operator }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: widget-operator }
subjects: [{ kind: ServiceAccount, name: widget-operator, namespace: widget-system }]
`,
  );
  const operator = await runAsServiceAccount(testKubeConfig(), { rbacDir: tmp, namespace: ns.name });

  await installCrds(testKubeConfig(), [widgetCrd()]);

  const widget = await admin
    .resource({ apiVersion: `${group}/v1`, kind: 'Widget' })
    .create({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w', namespace: ns.name } });
  const asOperator = Client.fromKubeConfig(operator.kubeConfig);
  try {
    const child = await asOperator.resource(CONFIG_MAP).create({
      ...CONFIG_MAP,
      metadata: {
        name: 'w-child',
        namespace: ns.name,
        ownerReferences: [
          {
            apiVersion: `${group}/v1`,
            kind: 'Widget',
            name: 'w',
            uid: widget.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
    });
    expect(child.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Widget', name: 'w' })]);
  } finally {
    asOperator.close();
  }

  // Again (another suite installing the same definition): a no-op that resolves at once.
  await installCrds(testKubeConfig(), [widgetCrd()]);
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
