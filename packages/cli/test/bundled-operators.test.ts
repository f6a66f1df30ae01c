// `switchboard crd --check` and `switchboard rbac --check` over the two
// bundled operators: their committed config/crd/ and config/rbac/role.yaml
// (and the same in their Helm charts' crds/ and files/role.yaml) are
// exactly what their `operator` descriptions generate, and the check fails
// as soon as the code moves on without them. Regenerate with
// `npm run manifests` in the operator's folder.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { JsonSchema, Manager } from '@switchboard/core';
import { ControllerBuilder, Outcome } from '@switchboard/core';

import { crdCommand, generateManifests, rbacCommand } from '../src/commands/manifests.js';
import { loadOperator } from '../src/manifests/operator-module.js';
import type { CrdSource, OperatorDescription } from '../src/manifests/operator-module.js';
import { rbacRules } from '../src/manifests/rbac.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const bundled = ['operators/etcd', 'operators/prometheus'];

interface CrdVersion {
  schema: { openAPIV3Schema: JsonSchema };
}

/** `source` with one more optional field in the spec of its CRD. */
function withSpecField(source: CrdSource, field: string): CrdSource {
  const crd = structuredClone('crd' in source && typeof source.crd === 'function' ? source.crd() : source);
  const version = (crd as unknown as { spec: { versions: CrdVersion[] } }).spec.versions[0]!;
  const spec = version.schema.openAPIV3Schema.properties!['spec']!;
  spec.properties = { ...spec.properties, [field]: { type: 'string' } };
  return crd;
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'switchboard-bundled-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(bundled)('%s', (dir) => {
  const module = join(repo, dir, 'src', 'operator.ts');
  const config = join(repo, dir, 'config');

  it('config/crd is what `switchboard crd` generates (regenerate: npm run manifests)', async () => {
    await expect(crdCommand({ module, out: join(config, 'crd'), check: true })).resolves.toBeUndefined();
  });

  it('config/rbac/role.yaml is what `switchboard rbac` generates (regenerate: npm run manifests)', async () => {
    await expect(rbacCommand({ module, out: join(config, 'rbac'), check: true })).resolves.toBeUndefined();
  });

  it('chart/crds and chart/files/role.yaml are what `switchboard crd|rbac --out` generate (regenerate: npm run manifests)', async () => {
    const chart = join(repo, dir, 'chart');
    await expect(crdCommand({ module, out: join(chart, 'crds'), check: true })).resolves.toBeUndefined();
    await expect(rbacCommand({ module, out: join(chart, 'files'), check: true })).resolves.toBeUndefined();
  });

  it('crd --check fails, naming the file, when a spec field is added without regenerating', async () => {
    cpSync(config, tmp, { recursive: true });
    const op = await loadOperator(module);
    const [first, ...rest] = op.resources ?? [];
    const grown: OperatorDescription = { ...op, resources: [withSpecField(first!, 'addedField'), ...rest] };
    expect(() => generateManifests('crd', grown, { out: join(tmp, 'crd'), check: true })).toThrow(
      /generated CRDs are stale:\n {2}\S+_\w+\.yaml: differs from the code\nregenerate with: switchboard crd --out \S+ --write/,
    );
    // Regenerating fixes it, and the check passes again.
    generateManifests('crd', grown, { out: join(tmp, 'crd'), write: true });
    expect(() => generateManifests('crd', grown, { out: join(tmp, 'crd'), check: true })).not.toThrow();
  });

  it('rbac --check fails when a controller starts owning a kind without regenerating', async () => {
    cpSync(config, tmp, { recursive: true });
    const op = await loadOperator(module);
    const grown: OperatorDescription = {
      ...op,
      controllers(manager: Manager) {
        op.controllers?.(manager);
        new ControllerBuilder(manager)
          .named('extra')
          .for({ apiVersion: 'v1', kind: 'ConfigMap' })
          .owns({ apiVersion: 'batch/v1', kind: 'Job' })
          .build(() => Outcome.done());
      },
    };
    expect(() => generateManifests('rbac', grown, { out: join(tmp, 'rbac'), check: true })).toThrow(
      /role\.yaml: differs from the code/,
    );
  });

  it('grants no wildcard', async () => {
    const rules = rbacRules(await loadOperator(module));
    for (const r of rules) expect([...r.apiGroups, ...r.resources, ...r.verbs]).not.toContain('*');
  });
});
