/**
 * schema: custom resources defined in code.
 *
 * One {@link defineResource} call (group, version, kind, scope, the JSON
 * Schema of spec and status, printer columns, subresources, CEL rules) gives
 * the CRD manifest with a structural schema (checked here, before the API
 * server sees it), an ajv validator over the same schema, and a typed
 * `ResourceClient` (client layer). The TypeScript types are the definition's
 * type parameters. The definition is also a `{ apiVersion, kind }`, so it can
 * be passed to `ControllerBuilder.for()` directly.
 */
export type { JsonSchema, ValidationRule } from './json-schema.js';
export { structuralProblems, conditionsSchema } from './json-schema.js';
export type {
  Resource,
  PrinterColumn,
  ScaleSubresource,
  ResourceDefinitionInput,
  ResourceDefinition,
  CustomResourceDefinitionManifest,
  ValidationResult,
} from './resource-definition.js';
export { defineResource, SchemaError } from './resource-definition.js';
