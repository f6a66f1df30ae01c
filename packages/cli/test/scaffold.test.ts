// `switchboard new operator` end to end: scaffold a project, add a second
// kind with `new api`, type-check it and run its own tests (against the real
// API server) with the workspace's packages standing in for the published ones.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  createTestNamespace,
  kubernetesBinary,
  runAsServiceAccount,
  testKubeConfig,
  testKubeconfigPath,
} from '@switchboard/testing';

import { newApi, newOperator } from '../src/scaffold/new.js';

const root = join(import.meta.dirname, '..', '..', '..');
const bin = (path: string): string => join(root, 'node_modules', path);
const sources = {
  '@switchboard/core': join(root, 'packages/core/src/index.ts'),
  '@switchboard/testing': join(root, 'packages/testing/src/index.ts'),
  '@switchboard/cli': join(root, 'packages/cli/src/index.ts'),
};

// The published package's jest hooks, from the workspace (the scaffold names them by package).
const globalHooks = {
  globalSetup: join(root, 'packages/testing/jest/global-setup.js'),
  globalTeardown: join(root, 'packages/testing/jest/global-teardown.js'),
};

let parent: string;
let project: string;

beforeAll(() => {
  // Inside the workspace, so the project finds typescript, jest and swc in its node_modules.
  parent = mkdtempSync(join(root, '.scaffold-e2e-'));
  project = newOperator(parent, 'webapp-operator', { group: 'apps.example.com' });
  newApi(project, 'Gadget', { group: 'apps.example.com' });
  writeFileSync(
    join(project, 'tsconfig.workspace.json'),
    JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: {
        rootDir: root,
        paths: Object.fromEntries(Object.entries(sources).map(([k, v]) => [k, [v]])),
      },
    }),
  );
  writeFileSync(
    join(project, 'jest.workspace.config.js'),
    `import base from './jest.config.js';\nexport default { ...base, rootDir: ${JSON.stringify(project)}, ${Object.entries(
      globalHooks,
    )
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join(', ')}, moduleNameMapper: { ...base.moduleNameMapper, ${Object.entries(sources)
      .map(([k, v]) => `'^${k}$': ${JSON.stringify(v)}`)
      .join(', ')} } };\n`,
  );
});

afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('switchboard new operator', () => {
  it('scaffolds a jest config whose global setup is the published @switchboard/testing hooks', () => {
    const config = readFileSync(join(project, 'jest.config.js'), 'utf8');
    expect(config).toContain(`globalSetup: '@switchboard/testing/jest/global-setup'`);
    expect(config).toContain(`globalTeardown: '@switchboard/testing/jest/global-teardown'`);
    const testing = JSON.parse(readFileSync(join(root, 'packages/testing/package.json'), 'utf8'));
    expect(testing.exports['./jest/global-setup']).toBe('./jest/global-setup.js');
    expect(testing.exports['./jest/global-teardown']).toBe('./jest/global-teardown.js');
    expect(testing.files).toContain('jest');
  });

  it('scaffolds a project that depends on @switchboard/core and wires both kinds', () => {
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toEqual({ '@kubernetes/client-node': '^2.0.1', '@switchboard/core': '^0.1.0' });
    const operator = readFileSync(join(project, 'src/operator.ts'), 'utf8');
    expect(operator).toContain('WebappResource,');
    expect(operator).toContain('addGadgetController(host);');
    expect(readFileSync(join(project, 'config/crd/kustomization.yaml'), 'utf8')).toMatch(
      /resources:\n {2}- apps\.example\.com_webapps\.yaml\n {2}- apps\.example\.com_gadgets\.yaml\n$/,
    );
  });

  it('type-checks', () => {
    const tsc = spawnSync(
      process.execPath,
      [bin('typescript/bin/tsc'), '-p', 'tsconfig.workspace.json', '--noEmit'],
      {
        cwd: project,
        encoding: 'utf8',
      },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('passes its own tests: both controllers against the API server, and current manifests', () => {
    const jest = spawnSync(
      process.execPath,
      ['--experimental-vm-modules', bin('jest/bin/jest.js'), '--config', 'jest.workspace.config.js', '--ci'],
      { cwd: project, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
    );
    expect(jest.stderr).toMatch(/Tests:\s+3 passed, 3 total/);
    expect(jest.status).toBe(0);
  });

  it('installs with kubectl apply -k config/default on a fresh cluster (its Namespace included), and uninstalls', () => {
    const kubectl = (...args: string[]) =>
      spawnSync(kubernetesBinary('kubectl'), ['--kubeconfig', testKubeconfigPath(), ...args], {
        encoding: 'utf8',
        timeout: 120_000,
      });
    const applied = kubectl('apply', '-k', join(project, 'config/default'));
    try {
      // The project's own tests (above) installed its CRDs by server-side apply: kubectl
      // warns that they lack its last-applied annotation and takes them over. Nothing else.
      const unexpected = applied.stderr
        .split('\n')
        .filter((l) => l && !/^Warning: .*last-applied-configuration/.test(l));
      expect({ status: applied.status, unexpected }).toEqual({ status: 0, unexpected: [] });
      expect(applied.stdout).toMatch(/namespace\/webapp-operator-system created/);
      expect(applied.stdout).toMatch(/deployment\.apps\/webapp-operator created/);
      expect(applied.stdout).toMatch(
        /customresourcedefinition\.apiextensions\.k8s\.io\/gadgets\.apps\.example\.com (created|configured|unchanged)/,
      );
    } finally {
      const deleted = kubectl('delete', '-k', join(project, 'config/default'), '--wait', '--timeout=90s');
      expect(deleted.status).toBe(0);
    }
  });

  it("has a config/rbac that runAsServiceAccount takes as the operator's identity", async () => {
    const admin = testKubeConfig();
    const ns = await createTestNamespace(admin, 'scaffold-rbac');
    try {
      const identity = await runAsServiceAccount(admin, {
        rbacDir: join(project, 'config/rbac'),
        namespace: ns.name,
      });
      expect(identity.username).toBe(`system:serviceaccount:${ns.name}:webapp-operator`);
    } finally {
      await ns.delete();
    }
  });

  it('refuses a kind that exists and names that are not valid', () => {
    expect(() => newApi(project, 'Gadget')).toThrow(/kind Gadget exists already/);
    expect(() => newApi(project, 'gadget')).toThrow(/UpperCamelCase/);
    expect(() => newOperator(parent, 'Bad_Name')).toThrow(/lower-case/);
  });

  it('writes nothing when the kind is not valid, or the folder is not empty', () => {
    expect(() => newOperator(parent, 'halfway-operator', { kind: 'not a kind' })).toThrow(/UpperCamelCase/);
    expect(existsSync(join(parent, 'halfway-operator'))).toBe(false);
    const before = readFileSync(join(project, 'package.json'), 'utf8');
    expect(() => newOperator(parent, 'webapp-operator')).toThrow(/exists and is not empty/);
    expect(readFileSync(join(project, 'package.json'), 'utf8')).toBe(before);
  });
});
