// config/default as `kubectl kustomize` renders it (no cluster needed): it
// installs every CRD of config/crd, a hardened, leader-elected manager
// Deployment, and RBAC without wildcards (see configDefaultProblems). The e2e
// suite test/e2e/deployed.test.ts applies the same folder to a real node.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { configDefaultProblems, kubernetesBinary } from '@switchboard/testing';

const kubectl = kubernetesBinary('kubectl');
const itRendered = existsSync(kubectl) ? it : it.skip;
if (!existsSync(kubectl)) process.stderr.write(`config/default checks skipped: no kubectl at ${kubectl}\n`);

itRendered(
  'config/default installs every CRD, a hardened leader-elected manager, and RBAC without wildcards',
  async () => {
    expect(await configDefaultProblems(join(import.meta.dirname, '..', 'config'), 'etcd-operator')).toEqual(
      [],
    );
  },
);
