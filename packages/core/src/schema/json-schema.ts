/**
 * The JSON Schema dialect of CRDs (OpenAPI v3 with Kubernetes extensions),
 * and the structural-schema rules the API server enforces, checked here so
 * mistakes show up before `kubectl apply`.
 */

/** A CEL validation rule (`x-kubernetes-validations`). */
export interface ValidationRule {
  /** CEL expression; `self` is the value at this node, `oldSelf` the previous one. */
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** A schema node. Every node needs `type` unless it is int-or-string or preserves unknown fields. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  /**
   * Alternatives, for validation only (a structural schema keeps the types
   * outside): e.g. `[{ type: 'integer' }, { type: 'string' }]` beside
   * `x-kubernetes-int-or-string`.
   */
  anyOf?: JsonSchema[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  /** Applied by the API server when the field is absent (structural schemas only). */
  default?: unknown;
  nullable?: boolean;
  'x-kubernetes-validations'?: ValidationRule[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
}

/**
 * The problems that would make the API server reject `schema` as a
 * non-structural schema, each with its JSON path. Empty when fine.
 */
export function structuralProblems(schema: JsonSchema, path = ''): string[] {
  const at = path === '' ? '<root>' : path;
  const problems: string[] = [];
  const free =
    schema['x-kubernetes-int-or-string'] === true || schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (schema.type === undefined && !free)
    problems.push(
      `${at}: missing type (set one, or x-kubernetes-int-or-string / x-kubernetes-preserve-unknown-fields)`,
    );
  if (schema.properties !== undefined && schema.additionalProperties !== undefined) {
    problems.push(`${at}: properties and additionalProperties cannot both be set`);
  }
  if (schema.properties !== undefined && schema.type !== 'object')
    problems.push(`${at}: properties need type: object`);
  if (schema.items !== undefined && schema.type !== 'array') problems.push(`${at}: items need type: array`);
  if (schema.type === 'array' && schema.items === undefined) problems.push(`${at}: type: array needs items`);
  if (
    schema['x-kubernetes-list-type'] === 'map' &&
    (schema['x-kubernetes-list-map-keys'] ?? []).length === 0
  ) {
    problems.push(`${at}: x-kubernetes-list-type: map needs x-kubernetes-list-map-keys`);
  }
  for (const req of schema.required ?? []) {
    if (schema.properties !== undefined && !(req in schema.properties))
      problems.push(`${at}: required field ${req} is not in properties`);
  }
  for (const [name, child] of Object.entries(schema.properties ?? {}))
    problems.push(...structuralProblems(child, `${path}.${name}`));
  if (schema.items !== undefined) problems.push(...structuralProblems(schema.items, `${path}[*]`));
  if (typeof schema.additionalProperties === 'object')
    problems.push(...structuralProblems(schema.additionalProperties, `${path}.*`));
  return problems;
}

/** metav1.Condition as a schema, for `status.conditions` (a list map keyed by type). */
export const conditionsSchema: JsonSchema = {
  type: 'array',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  items: {
    type: 'object',
    required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
    properties: {
      type: { type: 'string', maxLength: 316 },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
      observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
      lastTransitionTime: { type: 'string', format: 'date-time' },
      reason: { type: 'string', maxLength: 1024, minLength: 1 },
      message: { type: 'string', maxLength: 32768 },
    },
  },
};
