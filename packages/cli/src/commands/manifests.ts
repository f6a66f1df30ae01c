// `switchboard crd` and `switchboard rbac`: generated manifests, printed,
// written (--write) or checked against the committed ones (--check).
import { relative } from 'node:path';

import { crdFiles } from '../manifests/crd.js';
import type { GeneratedFile } from '../manifests/files.js';
import { staleFiles, writeFiles } from '../manifests/files.js';
import { loadOperator } from '../manifests/operator-module.js';
import type { OperatorDescription } from '../manifests/operator-module.js';
import { rbacFiles } from '../manifests/rbac.js';
import { line, UsageError } from '../output.js';

const common = `Options:
  --module PATH   the compiled module exporting \`operator\` (default: dist/operator.js)
  --write         write the files (default: print them)
  --check         exit 1 when a committed file is missing or differs from the code
`;

export const crdHelp = `Usage: switchboard crd [--module PATH] [--out DIR] [--write | --check]

Generates one CustomResourceDefinition per resource the operator defines
(defineResource), as <group>_<plural>.yaml.

  --out DIR       where the CRDs live (default: config/crd)
${common}`;

export const rbacHelp = `Usage: switchboard rbac [--module PATH] [--out DIR] [--write | --check]

Generates the operator's ClusterRole from what its controllers reconcile, own
and watch, plus events, leader election and \`operator.rbac.rules\`.

  --out DIR       where role.yaml lives (default: config/rbac)
${common}`;

/** Options of the manifest commands. */
export interface ManifestOptions {
  module?: string | undefined;
  out?: string | undefined;
  write?: boolean | undefined;
  check?: boolean | undefined;
}

async function run(kind: 'crd' | 'rbac', opts: ManifestOptions): Promise<void> {
  if (opts.write && opts.check)
    throw new UsageError(`--write and --check exclude each other\n\n${kind === 'crd' ? crdHelp : rbacHelp}`);
  const op = await loadOperator(opts.module ?? 'dist/operator.js');
  generateManifests(kind, op, opts);
}

/**
 * What `switchboard crd|rbac` do once the operator is loaded: print, write
 * (`write`) or check (`check`, throwing a UsageError that lists the stale
 * files and the command that regenerates them).
 */
export function generateManifests(
  kind: 'crd' | 'rbac',
  op: OperatorDescription,
  opts: ManifestOptions,
): void {
  const files: GeneratedFile[] = kind === 'crd' ? crdFiles(op) : rbacFiles(op);
  const out = opts.out ?? (kind === 'crd' ? 'config/crd' : 'config/rbac');
  if (opts.check) {
    const stale = staleFiles(out, files);
    if (stale.length > 0) {
      const list = stale
        .map(
          (s) =>
            `  ${relative('.', s.path)}: ${s.problem === 'missing' ? 'missing' : 'differs from the code'}`,
        )
        .join('\n');
      const again = [
        `switchboard ${kind}`,
        ...(opts.module !== undefined ? [`--module ${opts.module}`] : []),
        ...(opts.out !== undefined ? [`--out ${opts.out}`] : []),
        '--write',
      ].join(' ');
      throw new UsageError(
        `generated ${kind === 'crd' ? 'CRDs' : 'RBAC'} are stale:\n${list}\nregenerate with: ${again}`,
      );
    }
    line(kind, `${files.length} file(s) in ${out} are current`);
    return;
  }
  if (opts.write) {
    for (const path of writeFiles(out, files)) line('wrote', relative('.', path));
    return;
  }
  process.stdout.write(files.map((f) => f.content).join('---\n'));
}

export const crdCommand = (opts: ManifestOptions): Promise<void> => run('crd', opts);
export const rbacCommand = (opts: ManifestOptions): Promise<void> => run('rbac', opts);
