// The subset of OpenAPI v3 (apiextensions.k8s.io/v1 JSONSchemaProps) our CRDs
// use, and small constructors that keep the schemas below readable. Every
// schema built here is structural: each node has a type, or is int-or-string,
// or preserves unknown fields.

/** One node of a CRD's OpenAPI v3 schema. */
export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  enum?: string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  default?: string | number | boolean;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps;
  items?: JSONSchemaProps;
  required?: string[];
  anyOf?: JSONSchemaProps[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
}

/** A string, optionally documented. */
export function str(description?: string, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps {
  return { type: 'string', ...(description === undefined ? {} : { description }), ...extra };
}

/** A 32/64-bit integer. */
export function int(description?: string, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps {
  return { type: 'integer', ...(description === undefined ? {} : { description }), ...extra };
}

/** A boolean. */
export function bool(description?: string): JSONSchemaProps {
  return { type: 'boolean', ...(description === undefined ? {} : { description }) };
}

/** An array of `items`. */
export function arrayOf(items: JSONSchemaProps, description?: string): JSONSchemaProps {
  return { type: 'array', items, ...(description === undefined ? {} : { description }) };
}

/** A map from string keys to `values`. */
export function mapOf(values: JSONSchemaProps, description?: string): JSONSchemaProps {
  return {
    type: 'object',
    additionalProperties: values,
    ...(description === undefined ? {} : { description }),
  };
}

/** An object with the given properties; `required` lists mandatory ones. */
export function obj(
  properties: Record<string, JSONSchemaProps>,
  required: string[] = [],
  description?: string,
): JSONSchemaProps {
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    ...(description === undefined ? {} : { description }),
  };
}

/** A value that is either an integer or a string (a port name or number). */
export function intOrString(description?: string): JSONSchemaProps {
  return {
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
    ...(description === undefined ? {} : { description }),
  };
}

/** An object whose contents are kept as written (fields we pass through untyped). */
export function opaqueObject(description?: string): JSONSchemaProps {
  return {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    ...(description === undefined ? {} : { description }),
  };
}
