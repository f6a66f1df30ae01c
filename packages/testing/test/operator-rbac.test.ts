// runAsServiceAccount against the real API server: the identity it hands
// back may do exactly what the manifests grant, in the test namespace, and
// nothing else; the cluster-scoped objects it made go away with the
// namespace's owner reference; and the control plane enforces the
// finalizers grant that blockOwnerDeletion needs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client, ForbiddenError } from '@switchboard/core';
import type { KubeObject } from '@switchboard/core';

import { createTestNamespace, runAsServiceAccount, testKubeConfig } from '../src/index.js';
import type { TestNamespace } from '../src/index.js';

const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' };

/** config/rbac of a small operator: reads and creates ConfigMaps, plus `extra` rules. */
function rbacDir(dir: string, extra = ''): string {
  writeFileSync(
    join(dir, 'role.yaml'),
    `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cm-operator
rules:
  - apiGroups: ['']
    resources: [configmaps]
    verbs: [get, list, watch, create]
${extra}`,
  );
  writeFileSync(
    join(dir, 'service-account.yaml'),
    `apiVersion: v1
kind: ServiceAccount
metadata:
  name: cm-operator
  namespace: cm-operator-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cm-operator
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cm-operator }
subjects:
  - { kind: ServiceAccount, name: cm-operator, namespace: cm-operator-system }
`,
  );
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [role.yaml, service-account.yaml]\n');
  return dir;
}

/** A ConfigMap owned by `owner` with blockOwnerDeletion, as a controller makes its children. */
function child(namespace: string, name: string, owner: KubeObject): KubeObject {
  return {
    ...CONFIG_MAP,
    metadata: {
      name,
      namespace,
      ownerReferences: [
        {
          ...CONFIG_MAP,
          name: owner.metadata.name ?? '',
          uid: owner.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
  };
}

let tmp: string;
let namespaces: TestNamespace[] = [];
let admin: Client;
beforeAll(() => {
  admin = Client.fromKubeConfig(testKubeConfig());
});
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'switchboard-rbac-'));
});
afterEach(async () => {
  rmSync(tmp, { recursive: true, force: true });
  for (const ns of namespaces) await ns.delete();
  namespaces = [];
});

async function namespace(prefix: string): Promise<string> {
  const ns = await createTestNamespace(testKubeConfig(), prefix);
  namespaces.push(ns);
  return ns.name;
}

it('is the ServiceAccount, allowed what the manifests grant and refused the rest', async () => {
  const ns = await namespace('rbac-grants');
  const identity = await runAsServiceAccount(testKubeConfig(), { rbacDir: rbacDir(tmp), namespace: ns });
  expect(identity.username).toBe(`system:serviceaccount:${ns}:cm-operator`);
  expect(identity.created).toEqual([
    `ClusterRole/cm-operator-${ns}`,
    'ServiceAccount/cm-operator',
    `ClusterRoleBinding/cm-operator-${ns}`,
  ]);
  const asOperator = Client.fromKubeConfig(identity.kubeConfig);
  try {
    await asOperator
      .resource(CONFIG_MAP)
      .create({ ...CONFIG_MAP, metadata: { name: 'made', namespace: ns } });
    expect(
      (await asOperator.resource(CONFIG_MAP).list({ namespace: ns })).items.map((c) => c.metadata.name),
    ).toContain('made');
    await expect(asOperator.resource(CONFIG_MAP).delete({ namespace: ns, name: 'made' })).rejects.toThrow(
      ForbiddenError,
    );
    await expect(
      asOperator.resource({ apiVersion: 'v1', kind: 'Secret' }).list({ namespace: ns }),
    ).rejects.toThrow(ForbiddenError);
  } finally {
    asOperator.close();
  }
  // The same folder and namespace again: the same identity, nothing created twice.
  expect(await runAsServiceAccount(testKubeConfig(), { rbacDir: tmp, namespace: ns })).toBe(identity);
  const role = await admin.resource({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' }).get({
    name: `cm-operator-${ns}`,
  });
  expect(role.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Namespace', name: ns })]);
});

it('needs update on the owner’s finalizers to set blockOwnerDeletion (OwnerReferencesPermissionEnforcement)', async () => {
  const withoutGrant = await namespace('rbac-owner');
  const withGrant = await namespace('rbac-owner');
  const finalizers = `  - apiGroups: ['']
    resources: [configmaps/finalizers]
    verbs: [update]
`;
  const bare = await runAsServiceAccount(testKubeConfig(), {
    rbacDir: rbacDir(tmp),
    namespace: withoutGrant,
  });
  const granted = await runAsServiceAccount(testKubeConfig(), {
    rbacDir: rbacDir(mkdtempSync(join(tmp, 'granted-')), finalizers),
    namespace: withGrant,
  });
  for (const [ns, identity, allowed] of [
    [withoutGrant, bare, false],
    [withGrant, granted, true],
  ] as const) {
    const owner = await admin
      .resource(CONFIG_MAP)
      .create({ ...CONFIG_MAP, metadata: { name: 'owner', namespace: ns } });
    const asOperator = Client.fromKubeConfig(identity.kubeConfig);
    const creation = asOperator.resource(CONFIG_MAP).create(child(ns, 'child', owner));
    if (allowed) await expect(creation).resolves.toMatchObject({ metadata: { name: 'child' } });
    else await expect(creation).rejects.toThrow(/cannot set blockOwnerDeletion/);
    asOperator.close();
  }
});
