// `switchboard new operator <name>` and `switchboard new api <Kind>`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { conditionsSchema, defineResource } from '@switchboard/core';
import { parse, stringify } from 'yaml';

import { crdFiles } from '../manifests/crd.js';
import { writeFiles } from '../manifests/files.js';
import type { PolicyRule } from '../manifests/operator-module.js';
import { mergeRules } from '../manifests/rbac.js';
import { UsageError } from '../output.js';
import type { KindNames } from './names.js';
import { kindFromProject, kindNames, projectName } from './names.js';
import * as t from './templates.js';

/** Options of the scaffolds. */
export interface ScaffoldOptions {
  /** API group of new kinds. Default `example.com`. */
  group?: string | undefined;
  /** API version of new kinds. Default `v1alpha1`. */
  version?: string | undefined;
  /** First kind of a new operator. Default from the name (`webapp-operator` -> `Webapp`). */
  kind?: string | undefined;
}

/** Creates `<parent>/<name>` with a working operator of one kind; returns its folder. */
export function newOperator(parent: string, nameArg: string | undefined, opts: ScaffoldOptions = {}): string {
  const name = projectName(nameArg);
  const dir = resolve(parent, name);
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new UsageError(`${dir} exists and is not empty; pick another name or folder`);
  writeFiles(dir, [
    { path: 'package.json', content: t.packageJson(name) },
    { path: 'tsconfig.json', content: t.tsconfig },
    { path: 'tsconfig.build.json', content: t.tsconfigBuild },
    { path: 'jest.config.js', content: t.jestConfig },
    { path: '.gitignore', content: t.gitignore },
    { path: 'Dockerfile', content: t.dockerfile(name) },
    { path: 'README.md', content: t.readme(name, kindNames(opts.kind ?? kindFromProject(name))) },
    { path: 'src/operator.ts', content: t.operatorFile(name) },
    { path: 'src/main.ts', content: t.mainFile(name) },
    { path: 'test/manifests.test.ts', content: t.manifestsTest },
    { path: 'config/manager/manager.yaml', content: t.managerYaml(name) },
    {
      path: 'config/manager/kustomization.yaml',
      content: t.kustomizationYaml('The operator: its Namespace and Deployment.', ['manager.yaml']),
    },
    {
      path: 'config/rbac/role.yaml',
      content: stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name },
        rules: leaseRules(),
      }),
    },
    { path: 'config/rbac/service-account.yaml', content: t.serviceAccountYaml(name) },
    {
      path: 'config/rbac/kustomization.yaml',
      content: t.kustomizationYaml(
        'role.yaml is generated (npm run manifests); the account is bound to it.',
        ['role.yaml', 'service-account.yaml'],
      ),
    },
    {
      path: 'config/crd/kustomization.yaml',
      content: t.kustomizationYaml('Every CRD of the operator (switchboard new api adds each).', []),
    },
    {
      path: 'config/default/kustomization.yaml',
      content: t.kustomizationYaml(
        'Everything the operator needs: kubectl apply -k config/default; remove with kubectl delete -k config/default.',
        ['../crd', '../rbac', '../manager'],
      ),
    },
  ]);
  newApi(dir, opts.kind ?? kindFromProject(name), opts);
  return dir;
}

function leaseRules(): PolicyRule[] {
  return [
    {
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
    },
  ];
}

/** The rules the scaffolded controller of `k` needs (reconciles k, owns ConfigMaps). */
function kindRules(k: KindNames, group: string): PolicyRule[] {
  return [
    { apiGroups: [group], resources: [k.plural], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
    { apiGroups: [group], resources: [`${k.plural}/status`], verbs: ['get', 'update', 'patch'] },
    { apiGroups: [group], resources: [`${k.plural}/finalizers`], verbs: ['update'] },
    {
      apiGroups: [''],
      resources: ['configmaps'],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    },
  ];
}

function insertAt(source: string, marker: string, line: string): string {
  const at = source.indexOf(`// switchboard:${marker}`);
  if (at < 0)
    throw new UsageError(
      `src/operator.ts has no "// switchboard:${marker}" marker; add the ${marker} by hand`,
    );
  const indent = source.slice(source.lastIndexOf('\n', at) + 1, at);
  return `${source.slice(0, at)}${line}\n${indent}${source.slice(at)}`;
}

/** Adds kind `kindArg` (resource, controller, test, sample, CRD, RBAC) to the project in `dir`. */
export function newApi(dir: string, kindArg: string | undefined, opts: ScaffoldOptions = {}): void {
  const k = kindNames(kindArg);
  const api = { group: opts.group ?? 'example.com', version: opts.version ?? 'v1alpha1' };
  const operatorPath = join(dir, 'src', 'operator.ts');
  if (!existsSync(operatorPath))
    throw new UsageError(
      `${dir} has no src/operator.ts: run this in a project made by \`switchboard new operator\``,
    );
  if (existsSync(join(dir, 'src', 'api', `${k.lower}.ts`)))
    throw new UsageError(`kind ${k.kind} exists already (src/api/${k.lower}.ts)`);

  let operator = readFileSync(operatorPath, 'utf8');
  operator = insertAt(
    operator,
    'imports',
    `import { ${k.ident} } from './api/${k.lower}.js';\nimport { add${k.kind}Controller } from './controllers/${k.lower}-controller.js';`,
  );
  operator = insertAt(operator, 'resources', `${k.ident},`);
  operator = insertAt(operator, 'controllers', `add${k.kind}Controller(host);`);
  writeFileSync(operatorPath, operator);

  // The same definition src/api/<kind>.ts declares, so config/crd starts current.
  const definition = defineResource({
    group: api.group,
    version: api.version,
    kind: k.kind,
    scope: 'Namespaced',
    spec: {
      type: 'object',
      required: ['message'],
      properties: { message: { type: 'string', minLength: 1 } },
    },
    status: { type: 'object', properties: { conditions: conditionsSchema } },
    printerColumns: [{ name: 'Message', type: 'string', jsonPath: '.spec.message' }],
  });
  const rolePath = join(dir, 'config', 'rbac', 'role.yaml');
  const role = parse(readFileSync(rolePath, 'utf8')) as { rules?: PolicyRule[] };
  writeFiles(dir, [
    { path: `src/api/${k.lower}.ts`, content: t.apiFile(k, api) },
    { path: `src/controllers/${k.lower}-controller.ts`, content: t.controllerFile(k) },
    { path: `test/${k.lower}.test.ts`, content: t.testFile(k) },
    { path: `config/samples/${k.lower}.yaml`, content: t.sampleYaml(k, api) },
    ...crdFiles({ name: '', resources: [definition] }).map((f) => ({ ...f, path: `config/crd/${f.path}` })),
    {
      path: 'config/rbac/role.yaml',
      content: stringify({ ...role, rules: mergeRules([...(role.rules ?? []), ...kindRules(k, api.group)]) }),
    },
  ]);
  const crd = crdFiles({ name: '', resources: [definition] })[0]?.path ?? '';
  const crdKustomization = join(dir, 'config', 'crd', 'kustomization.yaml');
  // Projects scaffolded before config/default listed CRDs in config/kustomization.yaml.
  const olderKustomization = join(dir, 'config', 'kustomization.yaml');
  if (existsSync(crdKustomization)) {
    const k = parse(readFileSync(crdKustomization, 'utf8')) as { resources?: string[] | null };
    writeFileSync(
      crdKustomization,
      readFileSync(crdKustomization, 'utf8').replace(
        /^resources:.*$[\s\S]*/m,
        stringify({ resources: [...(k.resources ?? []), crd] }),
      ),
    );
  } else if (existsSync(olderKustomization)) {
    writeFileSync(olderKustomization, `${readFileSync(olderKustomization, 'utf8')}  - crd/${crd}\n`);
  }
}
