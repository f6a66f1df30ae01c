// The bundled operators' Helm charts, checked with a real `helm` (built from
// its module by `switchboard setup --all`) and no cluster: `helm lint
// --strict`, then what `helm template` renders. The charts are not a second,
// hand-kept copy of config/: their crds/ and files/role.yaml are written by
// `switchboard crd|rbac --out` (bundled-operators.test.ts checks them), and
// here the rendered chart must carry exactly config/'s CRDs and rules, in
// either scope, and run the manager as config/manager does. The install on a
// real node is operators/etcd/test/e2e/helm.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  CommandError,
  helm,
  managerProblems,
  renderChart,
  whyNoHelm,
  wildcardRules,
} from '@switchboard/testing';
import type { RenderedObject } from '@switchboard/testing';
import { parseAllDocuments } from 'yaml';

const skipReason = whyNoHelm();
if (skipReason) process.stderr.write(`Helm chart checks skipped: ${skipReason}\n`);
const describeHelm = skipReason ? describe.skip : describe;

const repo = join(import.meta.dirname, '..', '..', '..');
const NS = 'ops';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface Container {
  name: string;
  image: string;
  args: string[];
  [field: string]: unknown;
}
interface PodSpec {
  serviceAccountName: string;
  containers: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  [field: string]: unknown;
}
type Deployment = RenderedObject & { spec: { replicas: number; template: { spec: PodSpec } } };

function readYaml(path: string): RenderedObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => d.toJS() as RenderedObject | null)
    .filter((o): o is RenderedObject => o !== null);
}

/** Every (group, resource, verb) a list of rules grants, sorted: rules compared whatever their grouping. */
function grants(rules: readonly Rule[]): string[] {
  return rules
    .flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res} ${v}`))),
    )
    .sort();
}

const byKind = (objects: readonly RenderedObject[], kind: string) => objects.filter((o) => o.kind === kind);
const rulesOf = (o: RenderedObject | undefined) => (o?.rules as Rule[] | undefined) ?? [];
const deploymentOf = (objects: readonly RenderedObject[]) => byKind(objects, 'Deployment')[0] as Deployment;

const charts = [
  { operator: 'etcd', name: 'etcd-operator', imageFlag: '--toolbox-image' },
  { operator: 'prometheus', name: 'prometheus-operator', imageFlag: '--prometheus-config-reloader' },
];

describeHelm.each(charts)('the $name chart', ({ operator, name, imageFlag }) => {
  const chart = join(repo, 'operators', operator, 'chart');
  const config = join(repo, 'operators', operator, 'config');
  const version = (
    JSON.parse(readFileSync(join(repo, 'operators', operator, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const configRole = readYaml(join(config, 'rbac', 'role.yaml'))[0];
  const configManager = readYaml(join(config, 'manager', 'manager.yaml')).find(
    (o) => o.kind === 'Deployment',
  ) as Deployment;
  // Helm installs into a namespace that exists (or --create-namespace); config/ creates its own.
  const withNamespace = (objects: RenderedObject[]) => [
    ...objects,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  ];

  it('passes `helm lint --strict` in both scopes', async () => {
    await helm(['lint', '--strict', chart]);
    await helm(['lint', '--strict', chart, '--set', 'scope=namespace']);
  });

  it("carries exactly config/crd's CRDs, from crds/ (never deleted by `helm uninstall`)", async () => {
    const rendered = byKind(
      await renderChart(chart, { namespace: NS, includeCrds: true }),
      'CustomResourceDefinition',
    );
    const files = readdirSync(join(config, 'crd')).filter((f) => f !== 'kustomization.yaml');
    const expected = files.flatMap((f) => readYaml(join(config, 'crd', f)));
    const sortByName = (list: RenderedObject[]) =>
      [...list].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    expect(sortByName(rendered)).toEqual(sortByName(expected));
    // Only crds/ holds them: none is a template, which an uninstall would delete with every object of its kind.
    expect(byKind(await renderChart(chart, { namespace: NS }), 'CustomResourceDefinition')).toEqual([]);
  });

  it('by default grants config/rbac/role.yaml cluster-wide, and leases only in its namespace', async () => {
    const objects = await renderChart(chart, { namespace: NS });
    const [clusterRole, ...moreClusterRoles] = byKind(objects, 'ClusterRole');
    expect(moreClusterRoles).toEqual([]);
    expect(rulesOf(clusterRole)).toEqual(rulesOf(configRole));
    const account = { kind: 'ServiceAccount', name: `test-${name}`, namespace: NS };
    expect(byKind(objects, 'ClusterRoleBinding').map((b) => [b.roleRef, b.subjects])).toEqual([
      [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole?.metadata.name },
        [account],
      ],
    ]);
    const leaderElection = readYaml(join(config, 'rbac', 'leader-election-role.yaml')).find(
      (o) => o.kind === 'Role',
    );
    const roles = byKind(objects, 'Role');
    expect(roles.map((r) => [r.metadata.namespace, rulesOf(r)])).toEqual([[NS, rulesOf(leaderElection)]]);
    expect(byKind(objects, 'RoleBinding').map((b) => [b.metadata.namespace, b.subjects])).toEqual([
      [NS, [account]],
    ]);
    expect(wildcardRules(objects)).toEqual([]);
  });

  it('with scope=namespace grants the same rules, the namespaced ones only in the release namespace', async () => {
    const objects = await renderChart(chart, { namespace: NS, set: { scope: 'namespace' } });
    const roles = byKind(objects, 'Role').filter((r) => !r.metadata.name.endsWith('-leader-election'));
    const clusterRoles = byKind(objects, 'ClusterRole');
    expect(roles.map((r) => r.metadata.namespace)).toEqual([NS]);
    // Together, nothing more and nothing less than config/rbac/role.yaml.
    expect(grants([...roles, ...clusterRoles].flatMap(rulesOf))).toEqual(grants(rulesOf(configRole)));
    // Cluster-wide: only reads of cluster-scoped kinds (Nodes, PersistentVolumes, Namespaces).
    for (const g of grants(clusterRoles.flatMap(rulesOf)))
      expect(g).toMatch(/^\/(nodes|persistentvolumes|namespaces) (get|list|watch)$/);
    expect(clusterRoles.map((r) => r.metadata.name)).toEqual(
      clusterRoles.length > 0 ? [`test-${name}-${NS}`] : [],
    );
    const args = deploymentOf(objects).spec.template.spec.containers[0]!.args;
    expect(args).toContain(`--namespace=${NS}`);
    expect(wildcardRules(objects)).toEqual([]);
  });

  it('runs the manager as config/manager does: the same hardening, probes and resources, its own version', async () => {
    const objects = await renderChart(chart, { namespace: NS });
    expect(managerProblems(withNamespace(objects), `test-${name}`)).toEqual([]);
    const deployment = deploymentOf(objects);
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    const [configContainer] = configManager.spec.template.spec.containers;
    const same = ({ ports, livenessProbe, readinessProbe, resources, securityContext }: Container) => ({
      ports,
      livenessProbe,
      readinessProbe,
      resources,
      securityContext,
    });
    expect(same(container!)).toEqual(same(configContainer!));
    const { securityContext, terminationGracePeriodSeconds } = configManager.spec.template.spec;
    expect(pod).toMatchObject({ securityContext, terminationGracePeriodSeconds });
    expect(deployment.spec.replicas).toBe(configManager.spec.replicas);
    expect(container!.image).toBe(`switchboard/${name}:${version}`);
    expect(container!.image).toBe(configContainer!.image);
    expect(container!.args).toEqual([
      '--leader-elect',
      `--leader-election-namespace=${NS}`,
      '--metrics-bind-address=:8080',
      '--health-probe-bind-address=:8081',
      expect.stringMatching(
        new RegExp(`^${imageFlag}=switchboard/[a-z-]+:${version.replace(/\./g, '\\.')}$`),
      ),
    ]);
    expect(byKind(objects, 'Service').map((s) => s.metadata.name)).toEqual([`test-${name}-metrics`]);
  });

  it('takes image, resources, placement, replicas and leader election from values', async () => {
    const objects = await renderChart(chart, {
      namespace: NS,
      set: {
        'image.repository': 'registry.example.com/ops/operator',
        'image.tag': '9.9.9',
        'image.pullPolicy': 'Always',
        replicas: '1',
        'leaderElection.enabled': 'false',
        'resources.requests.cpu': '200m',
        'nodeSelector.disk': 'ssd',
        'tolerations[0].key': 'dedicated',
        'tolerations[0].operator': 'Exists',
        'metricsService.enabled': 'false',
        'extraArgs[0]': '--extra',
      },
    });
    const deployment = deploymentOf(objects);
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0]!;
    expect(deployment.spec.replicas).toBe(1);
    expect(container).toMatchObject({
      image: 'registry.example.com/ops/operator:9.9.9',
      imagePullPolicy: 'Always',
      resources: { requests: { cpu: '200m' } },
    });
    expect(container.args.filter((a) => a.startsWith('--leader-elect'))).toEqual([]);
    expect(container.args.at(-1)).toBe('--extra');
    expect(pod.nodeSelector).toEqual({ disk: 'ssd' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists' }]);
    expect(byKind(objects, 'Role')).toEqual([]);
    expect(byKind(objects, 'Service')).toEqual([]);
  });

  it('refuses values that cannot work together, saying why', async () => {
    const refusal = (set: Record<string, string>) =>
      renderChart(chart, { namespace: NS, set }).then(
        () => 'rendered',
        (err: unknown) => (err instanceof CommandError ? err.stderr : String(err)),
      );
    expect(await refusal({ 'leaderElection.enabled': 'false' })).toMatch(
      /replicas > 1 needs leaderElection\.enabled/,
    );
    expect(await refusal({ scope: 'everywhere' })).toMatch(
      /scope must be "cluster" or "namespace", not "everywhere"/,
    );
  });
});
