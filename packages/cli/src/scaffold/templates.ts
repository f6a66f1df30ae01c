// The files of a scaffolded project. A project depends on @switchboard/core
// only (plus the testing helpers and this CLI for development); its tests run
// against a real API server, its manifests are generated and checked.
import type { KindNames } from './names.js';

/** The API group and version of scaffolded kinds. */
export interface ApiVersionNames {
  group: string;
  version: string;
}

const SWITCHBOARD_VERSION = '^0.1.0';

export function packageJson(name: string): string {
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=22.19.0' },
    bin: { [name]: './dist/main.js' },
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      typecheck: 'tsc -p tsconfig.json --noEmit',
      test: 'node --experimental-vm-modules node_modules/jest/bin/jest.js',
      manifests: 'tsc -p tsconfig.build.json && switchboard crd --write && switchboard rbac --write',
      start: 'node dist/main.js',
    },
    // client-node is the core's peer: the operator shares one copy with it (KubeConfig is in the core's API).
    dependencies: { '@kubernetes/client-node': '^2.0.1', '@switchboard/core': SWITCHBOARD_VERSION },
    devDependencies: {
      '@switchboard/cli': SWITCHBOARD_VERSION,
      '@switchboard/testing': SWITCHBOARD_VERSION,
      '@swc/core': '^1.16.22',
      '@swc/jest': '^0.2.39',
      '@types/jest': '^30.0.0',
      '@types/node': '^24.0.0',
      jest: '^30.5.2',
      typescript: '~6.0.3',
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

export const tsconfig = `{
  "compilerOptions": {
    "target": "ES2023",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "skipLibCheck": true,
    "experimentalDecorators": true,
    "emitDecoratorMetadata": true,
    "types": ["node", "jest"],
    "rootDir": ".",
    "noEmit": true
  },
  "include": ["src", "test"]
}
`;

export const tsconfigBuild = `{
  "extends": "./tsconfig.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "noEmit": false, "declaration": true, "types": ["node"] },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts"]
}
`;

export const jestConfig = `// Tests are TypeScript ESM; swc strips the types (tsc checks them). The global
// setup starts a real local control plane for the run (or uses the cluster
// SWITCHBOARD_TEST_KUBECONFIG names); the teardown stops it.
/** @type {import('jest').Config} */
export default {
  globalSetup: '@switchboard/testing/jest/global-setup',
  globalTeardown: '@switchboard/testing/jest/global-teardown',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\\\.ts$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } } }],
  },
  moduleNameMapper: { '^(\\\\.{1,2}/.*)\\\\.js$': '$1' },
  testTimeout: 60000,
};
`;

export const gitignore = 'node_modules/\ndist/\n';

export const dockerfile = (name: string): string => `# Build stage: compile TypeScript.
FROM node:24-slim AS build
WORKDIR /src
COPY package*.json ./
RUN npm ci
COPY tsconfig*.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Run stage: production dependencies and the compiled operator, as a non-root user.
FROM node:24-slim
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
USER 65532:65532
ENTRYPOINT ["node", "dist/main.js"]
# ${name}
`;

export function apiFile(k: KindNames, api: ApiVersionNames): string {
  return `// The ${k.kind} kind: its types and one definition that yields its CRD
// (\`switchboard crd\`), a validator and a typed client.
import type { Condition, Resource } from '@switchboard/core';
import { conditionsSchema, defineResource } from '@switchboard/core';

export interface ${k.kind}Spec {
  /** What the ${k.kind}'s ConfigMap should say. */
  message: string;
}

export interface ${k.kind}Status {
  conditions?: Condition[];
}

export type ${k.kind} = Resource<${k.kind}Spec, ${k.kind}Status>;

export const ${k.ident} = defineResource<${k.kind}Spec, ${k.kind}Status>({
  group: '${api.group}',
  version: '${api.version}',
  kind: '${k.kind}',
  scope: 'Namespaced',
  spec: { type: 'object', required: ['message'], properties: { message: { type: 'string', minLength: 1 } } },
  status: { type: 'object', properties: { conditions: conditionsSchema } },
  printerColumns: [{ name: 'Message', type: 'string', jsonPath: '.spec.message' }],
});
`;
}

export function controllerFile(k: KindNames): string {
  return `// Reconciles ${k.kind}s: each gets a ConfigMap holding spec.message, owned by
// it (deleted with it), and a Ready condition. Replace with your own logic.
import { ControllerBuilder, generationChanged, isNotFound, Outcome, patchStatusConditions, setControllerReference } from '@switchboard/core';
import type { ControllerHost, KubeObject, ReconcileLoop } from '@switchboard/core';

import { ${k.ident} } from '../api/${k.lower}.js';

const ConfigMapType = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

/** Adds the ${k.kind} controller to a manager. */
export function add${k.kind}Controller(host: ControllerHost): ReconcileLoop {
  const ${k.plural} = ${k.ident}.client(host.client);
  return new ControllerBuilder(host)
    .named('${k.lower}')
    .for(${k.ident}, { predicates: [generationChanged] })
    .owns(ConfigMapType)
    .build(async (req, ctx) => {
      let obj;
      try {
        obj = await ${k.plural}.get(req, { signal: ctx.signal });
      } catch (err) {
        if (isNotFound(err)) return Outcome.done();
        throw err;
      }
      const configMap = setControllerReference(obj, {
        ...ConfigMapType,
        metadata: { name: req.name, namespace: req.namespace },
        data: { message: obj.spec.message },
      });
      await host.client.resource<ConfigMap>(ConfigMapType).apply(
        { ...configMap, metadata: { ...configMap.metadata, name: req.name } },
        { force: true, signal: ctx.signal },
      );
      await patchStatusConditions(${k.plural}, req, [
        { type: 'Ready', status: 'True', reason: 'ConfigMapApplied', observedGeneration: obj.metadata.generation ?? 0 },
      ], { signal: ctx.signal });
      return Outcome.done();
    });
}
`;
}

export function operatorFile(name: string): string {
  return `// The operator as \`switchboard crd\` and \`switchboard rbac\` read it, and as
// main.ts runs it. \`switchboard new api <Kind>\` adds lines at the markers.
import type { ControllerHost } from '@switchboard/core';
// switchboard:imports

export const operator = {
  name: '${name}',
  resources: [
    // switchboard:resources
  ],
  controllers(host: ControllerHost): void {
    // switchboard:controllers
  },
  rbac: { leaderElection: true, rules: [] },
};
`;
}

export function mainFile(name: string): string {
  return `#!/usr/bin/env node
// \`${name}\`: runs the operator's controllers under a Manager. The standard
// flags (--kubeconfig, --namespace, --leader-elect, --metrics-bind-address, ...)
// come from operatorMain; \`${name} --help\` lists them.
import { operatorMain } from '@switchboard/core';

import { operator } from './operator.js';

process.exit(
  await operatorMain({
    name: '${name}',
    description: "runs the operator's controllers",
    setup: (manager) => {
      operator.controllers(manager);
    },
  }),
);
`;
}

export function testFile(k: KindNames): string {
  return `// The ${k.kind} controller against a real API server: the local one that
// \`switchboard cluster up\` starts (export SWITCHBOARD_TEST_KUBECONFIG=<its kubeconfig>).
import { Client, Manager, silentLogger } from '@switchboard/core';
import type { KubeObject } from '@switchboard/core';
import { createTestNamespace, eventually, testKubeConfig } from '@switchboard/testing';

import { ${k.ident} } from '../src/api/${k.lower}.js';
import { add${k.kind}Controller } from '../src/controllers/${k.lower}-controller.js';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

describe('${k.kind} controller', () => {
  const kc = testKubeConfig();
  const client = Client.fromKubeConfig(kc);
  const stop = new AbortController();
  let namespace = '';
  let deleteNamespace: () => Promise<void> = () => Promise.resolve();
  let running: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    const crds = client.resource({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' });
    await crds.apply({ ...${k.ident}.crd(), apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: \`\${${k.ident}.plural}.\${${k.ident}.group}\` } }, { force: true });
    await eventually(() => ${k.ident}.client(client).list({ limit: 1 }), { timeout: 30000, message: 'CRD served' });
    const ns = await createTestNamespace(kc, '${k.lower}');
    namespace = ns.name;
    deleteNamespace = () => ns.delete();
    const manager = new Manager({ client, namespace, metricsBindAddress: '0', healthProbeBindAddress: '0', processMetrics: false, logger: silentLogger });
    add${k.kind}Controller(manager);
    running = manager.start(stop.signal);
  });

  afterAll(async () => {
    stop.abort();
    await running.catch(() => undefined);
    await deleteNamespace();
  });

  it('writes spec.message into an owned ConfigMap and reports Ready', async () => {
    const ${k.plural} = ${k.ident}.client(client);
    await ${k.plural}.create({ apiVersion: ${k.ident}.apiVersion, kind: ${k.ident}.kind, metadata: { name: 'hello', namespace }, spec: { message: 'hi' } });
    await eventually(
      async () => {
        const cm = await client.resource<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap' }).get({ namespace, name: 'hello' });
        expect(cm.data).toEqual({ message: 'hi' });
        expect(cm.metadata.ownerReferences?.[0]?.kind).toBe('${k.kind}');
        const obj = await ${k.plural}.get({ namespace, name: 'hello' });
        expect(obj.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      },
      { timeout: 30000 },
    );
  });
});
`;
}

export function readme(name: string, k: KindNames): string {
  return `# ${name}

A Kubernetes operator built with [Switchboard](https://github.com/switchboard-dev/switchboard).

- \`src/api/${k.lower}.ts\` — the ${k.kind} resource (types + schema => CRD)
- \`src/controllers/${k.lower}-controller.ts\` — its reconcile loop
- \`src/operator.ts\` — resources and controllers, read by \`switchboard crd|rbac\` and by \`src/main.ts\`
- \`config/\` — \`crd/\` and \`rbac/role.yaml\` (generated), \`rbac/service-account.yaml\`, \`manager/\` (Namespace, Deployment), \`samples/\`; \`default/\` is all of it

## Develop

\`\`\`
npm install
npm test                                           # the controller against a local API server it starts
npx switchboard cluster up                         # or a long-lived one; prints its kubeconfig
export SWITCHBOARD_TEST_KUBECONFIG=<that kubeconfig>   # tests then use it (any cluster works)
npm run manifests                                  # regenerate config/crd and config/rbac
npx switchboard new api Gadget                     # another kind and controller
\`\`\`

## Deploy

\`\`\`
docker build -t ${name}:dev .
kubectl apply -k config/default      # Namespace, CRDs, RBAC, the manager
kubectl apply -f config/samples
\`\`\`

Remove it all with \`kubectl delete -k config/default\` (this deletes the CRDs,
and with them every object of their kinds).
`;
}

/** config/manager/manager.yaml: the operator's Namespace and Deployment. */
export function managerYaml(name: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}-system
  labels:
    app.kubernetes.io/name: ${name}
    # The manager needs no more than the restricted Pod Security profile.
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${name}-system
spec:
  replicas: 1
  selector:
    matchLabels: { app.kubernetes.io/name: ${name} }
  template:
    metadata:
      labels: { app.kubernetes.io/name: ${name} }
    spec:
      serviceAccountName: ${name}
      securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: manager
          image: ${name}:dev
          args: [--leader-elect]
          env:
            - { name: POD_NAMESPACE, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
          ports:
            - { name: metrics, containerPort: 8080 }
            - { name: probes, containerPort: 8081 }
          livenessProbe: { httpGet: { path: /healthz, port: probes } }
          readinessProbe: { httpGet: { path: /readyz, port: probes } }
          resources: { requests: { cpu: 50m, memory: 64Mi }, limits: { memory: 256Mi } }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
`;
}

/**
 * config/rbac/service-account.yaml: the operator's ServiceAccount and its
 * binding to the generated ClusterRole (role.yaml). In config/rbac, so the
 * folder is the whole identity (runAsServiceAccount reads it in tests).
 */
export function serviceAccountYaml(name: string): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  namespace: ${name}-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ${name}
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${name} }
subjects:
  - { kind: ServiceAccount, name: ${name}, namespace: ${name}-system }
`;
}

/** A kustomization.yaml listing `resources`, with a comment on top. */
export function kustomizationYaml(comment: string, resources: readonly string[]): string {
  return `# ${comment}
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
${resources.map((r) => `  - ${r}\n`).join('')}`;
}

export function sampleYaml(k: KindNames, api: ApiVersionNames): string {
  return `apiVersion: ${api.group}/${api.version}
kind: ${k.kind}
metadata:
  name: ${k.lower}-sample
spec:
  message: Hello from ${k.kind}
`;
}

export const manifestsTest = `// config/crd and config/rbac are generated (\`npm run manifests\`); this fails when they are stale.
import { join } from 'node:path';

import { crdFiles, rbacFiles, staleFiles } from '@switchboard/cli';

import { operator } from '../src/operator.js';

const config = join(import.meta.dirname, '..', 'config');

it('config/crd and config/rbac match the code (regenerate with npm run manifests)', () => {
  expect(staleFiles(join(config, 'crd'), crdFiles(operator))).toEqual([]);
  expect(staleFiles(join(config, 'rbac'), rbacFiles(operator))).toEqual([]);
});
`;
