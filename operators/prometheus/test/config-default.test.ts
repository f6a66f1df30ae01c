// config/default as `kubectl kustomize` renders it (no cluster needed): it
// installs every CRD of config/crd, and a manager Deployment as DESIGN asks
// for one (see managerProblems). The e2e suite test/e2e/deployed.test.ts
// applies the same folder to a real node.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { kubernetesBinary, managerProblems, renderKustomization } from '@switchboard/testing';

const config = join(import.meta.dirname, '..', 'config');
const kubectl = kubernetesBinary('kubectl');
const describeRendered = existsSync(kubectl) ? describe : describe.skip;
if (!existsSync(kubectl)) process.stderr.write(`config/default checks skipped: no kubectl at ${kubectl}\n`);

describeRendered('config/default', () => {
  it('installs every CRD of config/crd', async () => {
    const objects = await renderKustomization(join(config, 'default'));
    const files = readdirSync(join(config, 'crd')).filter((f) => f !== 'kustomization.yaml');
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(
      crds.map((c) => `${(c.spec as { group: string }).group}_${c.metadata.name.split('.')[0]}.yaml`).sort(),
    ).toEqual(files.sort());
  });

  it('runs the manager non-root, read-only, probed, leader-elected, as its own ServiceAccount', async () => {
    const objects = await renderKustomization(join(config, 'default'));
    expect(managerProblems(objects, 'prometheus-operator')).toEqual([]);
  });

  it('grants no wildcard', async () => {
    const objects = await renderKustomization(join(config, 'default'));
    const rules = objects
      .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
      .flatMap((o) => (o.rules as { apiGroups?: string[]; resources?: string[]; verbs: string[] }[]) ?? []);
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules)
      expect([...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs]).not.toContain('*');
  });
});
