/**
 * One definition of a custom resource in code yields its CRD manifest, a
 * client-side validator (ajv, same schema) and a typed client.
 */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { stringify } from 'yaml';
import type { Client, KubeObject, ObjectMeta, ResourceClient } from '../client/index.js';
import type { JsonSchema, ValidationRule } from './json-schema.js';
import { structuralProblems } from './json-schema.js';

/** An object of a defined resource. */
export interface Resource<Spec, Status = never> extends KubeObject {
  apiVersion?: string;
  kind?: string;
  spec: Spec;
  status?: Status;
}

/** A column of `kubectl get`. */
export interface PrinterColumn {
  name: string;
  type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  /** JSONPath into the object, e.g. `.status.readyReplicas`. */
  jsonPath: string;
  description?: string;
  format?: string;
  /** 0 shows in the default view; higher shows with `-o wide`. Default 0. */
  priority?: number;
}

/** The scale subresource (`kubectl scale`, HPA). */
export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** Everything about a custom resource, declared once. */
export interface ResourceDefinitionInput {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name. Default: lower-cased kind + "s". */
  plural?: string;
  /** Default: lower-cased kind. */
  singular?: string;
  shortNames?: string[];
  categories?: string[];
  scope: 'Namespaced' | 'Cluster';
  /** Describes the whole object (`kubectl explain <kind>`). Default none. */
  description?: string;
  /** Schema of `.spec`. */
  spec: JsonSchema;
  /** Schema of `.status`; enables the status subresource unless `subresources.status` is false. */
  status?: JsonSchema;
  printerColumns?: PrinterColumn[];
  subresources?: { status?: boolean; scale?: ScaleSubresource };
  /** CEL rules on the whole object (e.g. across spec fields). */
  validations?: ValidationRule[];
}

/** Thrown when a definition would yield a CRD the API server rejects. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  readonly reason = 'InvalidSchema';
  constructor(
    readonly kind: string,
    readonly problems: readonly string[],
  ) {
    super(`${kind} schema is not structural:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The result of client-side validation. */
export type ValidationResult =
  { readonly valid: true } | { readonly valid: false; readonly errors: readonly string[] };

/** A CustomResourceDefinition manifest (apiextensions.k8s.io/v1), as {@link ResourceDefinition.crd} builds it. */
export interface CustomResourceDefinitionManifest extends KubeObject {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: ObjectMeta & { name: string };
  /** group, names, scope and versions (with the schema), in their JSON form. */
  spec: Record<string, unknown>;
}

/** A defined resource: its identity, CRD, validator and typed client. */
export interface ResourceDefinition<Spec, Status = never> {
  readonly apiVersion: string;
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly scope: 'Namespaced' | 'Cluster';
  /** The full object schema (apiVersion, kind, metadata, spec, status). */
  readonly schema: JsonSchema;
  /** The CustomResourceDefinition manifest. */
  crd(): CustomResourceDefinitionManifest;
  /** The manifest as YAML, for `config/crd/`. */
  crdYaml(): string;
  /** Validates an object with ajv against the same schema (CEL rules are checked by the server only). */
  validate(obj: unknown): ValidationResult;
  /** Type guard form of {@link validate}. */
  is(obj: unknown): obj is Resource<Spec, Status>;
  /** A typed client for this resource. */
  client(client: Client): ResourceClient<Resource<Spec, Status>>;
}

function formatError(e: ErrorObject): string {
  return `${e.instancePath === '' ? '<root>' : e.instancePath} ${e.message ?? 'is invalid'}`;
}

/**
 * Defines a custom resource.
 *
 * @example
 * interface GadgetSpec { message: string; replicas?: number }
 * export const Gadget = defineResource<GadgetSpec, { conditions?: Condition[] }>({
 *   group: 'example.com', version: 'v1', kind: 'Gadget', scope: 'Namespaced',
 *   spec: { type: 'object', required: ['message'], properties: { message: { type: 'string' }, replicas: { type: 'integer', default: 1 } } },
 *   status: { type: 'object', properties: { conditions: conditionsSchema } },
 *   printerColumns: [{ name: 'Message', type: 'string', jsonPath: '.spec.message' }],
 * });
 * writeFileSync('config/crd/gadgets.yaml', Gadget.crdYaml());
 */
export function defineResource<Spec, Status = never>(
  input: ResourceDefinitionInput,
): ResourceDefinition<Spec, Status> {
  const plural = input.plural ?? `${input.kind.toLowerCase()}s`;
  const apiVersion = `${input.group}/${input.version}`;
  const schema: JsonSchema = {
    type: 'object',
    ...(input.description !== undefined ? { description: input.description } : {}),
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: input.spec,
      ...(input.status ? { status: input.status } : {}),
    },
    ...(input.validations ? { 'x-kubernetes-validations': input.validations } : {}),
  };
  const problems = structuralProblems(schema);
  if (problems.length > 0) throw new SchemaError(input.kind, problems);
  const statusSub = input.subresources?.status ?? input.status !== undefined;
  const subresources = {
    ...(statusSub ? { status: {} } : {}),
    ...(input.subresources?.scale ? { scale: input.subresources.scale } : {}),
  };
  const crd = (): CustomResourceDefinitionManifest => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${input.group}` },
    spec: {
      group: input.group,
      names: {
        kind: input.kind,
        listKind: `${input.kind}List`,
        plural,
        singular: input.singular ?? input.kind.toLowerCase(),
        ...(input.shortNames ? { shortNames: input.shortNames } : {}),
        ...(input.categories ? { categories: input.categories } : {}),
      },
      scope: input.scope,
      versions: [
        {
          name: input.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: structuredClone(schema) },
          ...(Object.keys(subresources).length > 0 ? { subresources } : {}),
          ...(input.printerColumns ? { additionalPrinterColumns: input.printerColumns } : {}),
        },
      ],
    },
  });
  let validator: ValidateFunction | undefined;
  const validate = (obj: unknown): ValidationResult => {
    // Compiled on first use: defining a resource should cost nothing at import time.
    validator ??= new Ajv({ strict: false, allErrors: true }).compile(schema);
    return validator(obj)
      ? { valid: true }
      : { valid: false, errors: (validator.errors ?? []).map(formatError) };
  };
  return {
    apiVersion,
    kind: input.kind,
    group: input.group,
    version: input.version,
    plural,
    scope: input.scope,
    schema,
    crd,
    crdYaml: () => stringify(crd()),
    validate,
    is: (obj): obj is Resource<Spec, Status> => validate(obj).valid,
    client: (client) => client.resource<Resource<Spec, Status>>({ apiVersion, kind: input.kind }),
  };
}
