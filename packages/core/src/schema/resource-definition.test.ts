import { conditionsSchema, structuralProblems } from './json-schema.js';
import { SchemaError, defineResource } from './resource-definition.js';

const Gadget = defineResource<{ message: string; replicas?: number }, { replicas?: number }>({
  group: 'example.com',
  version: 'v1',
  kind: 'Gadget',
  scope: 'Namespaced',
  shortNames: ['gd'],
  spec: {
    type: 'object',
    required: ['message'],
    properties: {
      message: { type: 'string', minLength: 1 },
      replicas: { type: 'integer', minimum: 0, default: 1 },
    },
    'x-kubernetes-validations': [{ rule: 'self.replicas <= 10', message: 'at most 10 replicas' }],
  },
  status: { type: 'object', properties: { replicas: { type: 'integer' }, conditions: conditionsSchema } },
  printerColumns: [{ name: 'Message', type: 'string', jsonPath: '.spec.message' }],
  subresources: { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
});

describe('defineResource', () => {
  it('yields a CRD with names, structural schema, defaults, columns, subresources and CEL rules', () => {
    const crd = Gadget.crd();
    expect(crd.metadata.name).toBe('gadgets.example.com');
    expect(crd.spec).toMatchObject({
      group: 'example.com',
      scope: 'Namespaced',
      names: {
        kind: 'Gadget',
        listKind: 'GadgetList',
        plural: 'gadgets',
        singular: 'gadget',
        shortNames: ['gd'],
      },
    });
    const version = (crd.spec['versions'] as Record<string, unknown>[])[0]!;
    expect(version).toMatchObject({
      name: 'v1',
      served: true,
      storage: true,
      subresources: {
        status: {},
        scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
      },
      additionalPrinterColumns: [{ name: 'Message', type: 'string', jsonPath: '.spec.message' }],
    });
    const spec = (version['schema'] as { openAPIV3Schema: { properties: { spec: Record<string, unknown> } } })
      .openAPIV3Schema.properties.spec;
    expect(spec['x-kubernetes-validations']).toEqual([
      { rule: 'self.replicas <= 10', message: 'at most 10 replicas' },
    ]);
    expect(Gadget.crdYaml()).toContain('kind: CustomResourceDefinition');
    expect({ apiVersion: Gadget.apiVersion, kind: Gadget.kind }).toEqual({
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
    });
  });

  it('validates objects client-side with the same schema', () => {
    const ok = {
      apiVersion: 'example.com/v1',
      kind: 'Gadget',
      metadata: { name: 'a' },
      spec: { message: 'hi' },
    };
    expect(Gadget.validate(ok)).toEqual({ valid: true });
    expect(Gadget.is(ok)).toBe(true);
    const bad = Gadget.validate({ metadata: {}, spec: { message: '', replicas: -1 } });
    expect(bad.valid).toBe(false);
    if (!bad.valid) expect(bad.errors.join('\n')).toMatch(/\/spec\/message[\s\S]*\/spec\/replicas/);
  });

  it('rejects a non-structural schema with every problem and its path', () => {
    expect(() =>
      defineResource({
        group: 'example.com',
        version: 'v1',
        kind: 'Bad',
        scope: 'Cluster',
        spec: { type: 'object', properties: { x: {}, l: { type: 'array' } } },
      }),
    ).toThrow(SchemaError);
    expect(structuralProblems({ type: 'object', properties: { x: {}, l: { type: 'array' } } })).toEqual([
      '.x: missing type (set one, or x-kubernetes-int-or-string / x-kubernetes-preserve-unknown-fields)',
      '.l: type: array needs items',
    ]);
    expect(structuralProblems({ 'x-kubernetes-int-or-string': true })).toEqual([]);
  });
});
