import { toYaml } from '../config/yaml.js';
import { expectGolden } from '../../test/support/golden.js';
import { monitoringCrds, monitoringResources } from './crds.js';
import type { JSONSchemaProps } from './json-schema.js';

/** Paths of schema nodes that break the structural-schema rules the API server enforces. */
function nonStructuralNodes(node: JSONSchemaProps, path: string): string[] {
  const typed =
    node.type !== undefined ||
    node['x-kubernetes-int-or-string'] === true ||
    node['x-kubernetes-preserve-unknown-fields'] === true;
  const problems = typed ? [] : [path];
  for (const [name, child] of Object.entries(node.properties ?? {}))
    problems.push(...nonStructuralNodes(child, `${path}.${name}`));
  if (node.items !== undefined) problems.push(...nonStructuralNodes(node.items, `${path}[]`));
  if (node.additionalProperties !== undefined)
    problems.push(...nonStructuralNodes(node.additionalProperties, `${path}{}`));
  if (node.properties !== undefined && node.additionalProperties !== undefined)
    problems.push(`${path} (properties and additionalProperties)`);
  return problems;
}

describe('monitoring CRDs', () => {
  const crds = monitoringCrds();

  it('declares the five kinds of monitoring.coreos.com/v1', () => {
    expect(crds.map((c) => c.metadata.name)).toEqual([
      'alertmanagers.monitoring.coreos.com',
      'podmonitors.monitoring.coreos.com',
      'prometheuses.monitoring.coreos.com',
      'prometheusrules.monitoring.coreos.com',
      'servicemonitors.monitoring.coreos.com',
    ]);
    for (const r of monitoringResources) expect(r.version).toBe('v1');
  });

  it('has structural schemas only', () => {
    for (const r of monitoringResources) {
      expect(nonStructuralNodes(r.schema as JSONSchemaProps, r.kind)).toEqual([]);
    }
  });

  it('keeps the reference field names users write', () => {
    const sm = monitoringResources.find((r) => r.kind === 'ServiceMonitor')!.schema as JSONSchemaProps;
    const endpoint = sm.properties!['spec']!.properties!['endpoints']!.items!.properties!;
    expect(Object.keys(endpoint)).toEqual(
      expect.arrayContaining([
        'port',
        'targetPort',
        'relabelings',
        'metricRelabelings',
        'bearerTokenSecret',
        'tlsConfig',
      ]),
    );
  });

  it('config/crd/kustomization.yaml lists every CRD file', () => {
    const resources = monitoringResources.map((r) => `monitoring.coreos.com_${r.plural}.yaml`);
    expectGolden(
      'config/crd/kustomization.yaml',
      toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }),
    );
  });
});
