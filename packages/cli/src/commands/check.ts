// `switchboard check` and `switchboard install`: is the cluster ready for the
// operator (kubeconfig, API server, CRDs), and install its CRDs when not.
import { existsSync } from 'node:fs';

import type { KubeObject, TypeMeta } from '@switchboard/core';

import { connect, loadKubeConfig, missingKinds } from '../cluster-access.js';
import { crdOf } from '../manifests/crd.js';
import { loadOperator } from '../manifests/operator-module.js';
import type { OperatorDescription } from '../manifests/operator-module.js';
import { line, UsageError } from '../output.js';

const DEFAULT_MODULE = 'dist/operator.js';
const CRD_TYPE = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };

const options = `Options:
  --module PATH      the compiled module exporting \`operator\` (default: dist/operator.js)
  --kubeconfig PATH  the cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)
`;

export const checkHelp = `Usage: switchboard check [--module PATH] [--kubeconfig PATH]

Checks, one line each, that the operator can run against the cluster: a
kubeconfig is found, its API server answers, and every resource the operator
defines is served (its CRD installed). The first problem ends the check with
exit code 1 and the command that fixes it. Without a module (none at the
default path), only the cluster is checked.

${options}`;

export const installHelp = `Usage: switchboard install [--module PATH] [--kubeconfig PATH]

Installs the operator's CRDs into the cluster (server-side apply, so it can
run again after a change) and waits until the API server serves each kind.

${options}`;

/** Options of check and install. */
export interface ClusterCheckOptions {
  module?: string | undefined;
  kubeconfig?: string | undefined;
}

interface CrdNames {
  group: string;
  versions: { name: string }[];
  names: { kind: string };
}

function servedTypes(op: OperatorDescription): TypeMeta[] {
  return (op.resources ?? []).flatMap((r) => {
    const spec = crdOf(r).spec as CrdNames | undefined;
    return (spec?.versions ?? []).map((v) => ({
      apiVersion: `${spec?.group ?? ''}/${v.name}`,
      kind: spec?.names.kind ?? '',
    }));
  });
}

export async function checkCommand(opts: ClusterCheckOptions): Promise<void> {
  const kc = loadKubeConfig(opts.kubeconfig);
  line('kubeconfig', `context ${kc.getCurrentContext()}`);
  const client = await connect(kc);
  try {
    line('API server', `${kc.getCurrentCluster()?.server ?? ''} answers`);
    const module = opts.module ?? DEFAULT_MODULE;
    if (opts.module === undefined && !existsSync(module)) {
      line('CRDs', `not checked (no ${module}; build first or pass --module PATH)`);
      return;
    }
    const op = await loadOperator(module);
    const types = servedTypes(op);
    const missing = await missingKinds(client, types, `switchboard install --module ${module}`);
    if (missing.length > 0) throw new UsageError(missing.join('\n'));
    line('CRDs', `${types.map((t) => t.kind).join(', ') || 'none defined'} served`);
  } finally {
    client.close();
  }
}

export async function installCommand(opts: ClusterCheckOptions): Promise<void> {
  const module = opts.module ?? DEFAULT_MODULE;
  const op = await loadOperator(module);
  const client = await connect(loadKubeConfig(opts.kubeconfig));
  try {
    const crds = client.resource<
      KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
    >(CRD_TYPE);
    for (const source of op.resources ?? []) {
      const crd = crdOf(source);
      const name = crd.metadata.name ?? '';
      await crds.apply(
        { ...crd, ...CRD_TYPE, metadata: { ...crd.metadata, name } },
        { fieldManager: 'switchboard', force: true },
      );
      const deadline = Date.now() + 30_000;
      for (;;) {
        const live = await crds.get({ name });
        if (live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
        if (Date.now() > deadline)
          throw new UsageError(
            `CRD ${name} was applied but is not Established after 30 s: see why with \`kubectl describe crd ${name}\``,
          );
        await new Promise((r) => setTimeout(r, 250));
      }
      line('installed', name);
    }
  } finally {
    client.close();
  }
}
