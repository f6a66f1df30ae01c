// config/crd and config/rbac are generated from the code (`npm run manifests`);
// this fails when they are stale, e.g. a field was added to the resource
// definition or a controller now owns another kind.
import { join } from 'node:path';

import { crdFiles, rbacFiles, staleFiles } from '@switchboard/cli';

import { operator } from '../src/operator.js';

const config = join(import.meta.dirname, '..', 'config');

describe('generated manifests', () => {
  it('config/crd matches the resource definitions (regenerate with `npm run manifests`)', () => {
    expect(staleFiles(join(config, 'crd'), crdFiles(operator))).toEqual([]);
  });

  it('config/rbac/role.yaml matches what the controllers do (regenerate with `npm run manifests`)', () => {
    expect(staleFiles(join(config, 'rbac'), rbacFiles(operator))).toEqual([]);
  });
});
