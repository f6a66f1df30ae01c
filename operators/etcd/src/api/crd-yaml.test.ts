import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { etcdClusterCrd } from './crd.js';
import { CRD_FILE, renderCrdYaml } from './crd-yaml.js';

const packageRoot = join(import.meta.dirname, '..', '..');

describe('generated CRD file', () => {
  it('is current (regenerate with `etcd-operator crd --write`, or run this test with UPDATE_GENERATED=1)', () => {
    if (process.env.UPDATE_GENERATED === '1') writeFileSync(join(packageRoot, CRD_FILE), renderCrdYaml());
    const committed = readFileSync(join(packageRoot, CRD_FILE), 'utf8');
    expect(committed).toBe(renderCrdYaml());
  });

  it('parses back to the CRD built in code', () => {
    expect(parse(renderCrdYaml())).toEqual(etcdClusterCrd());
  });
});
