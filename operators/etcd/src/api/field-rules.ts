// The shapes Kubernetes itself requires of names, labels, quantities and
// image references, as schema fragments for the CRDs: a value the operator
// would copy into a Pod, PVC or Secret reference is refused at `kubectl
// apply` with a message naming the field, not discovered when the API server
// refuses the rendered object (reconcile-cluster.ts reports those as
// Degraded). Each rule is a CEL `matches` with a bounded maxLength, so the
// API server's cost estimate stays small.
//
// CEL string literals are single-quoted here; the patterns avoid backslashes
// (a literal dot is `[.]`) so they read the same in TypeScript, JSON and CEL.
import type { JsonSchema, ValidationRule } from '@switchboard/core';

/** A DNS-1123 subdomain: names of Secrets, PVCs, StorageClasses, EtcdBackups. */
export const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/** A label or annotation key: an optional DNS subdomain prefix and `/`, then a name of at most 63 characters. */
export const QUALIFIED_NAME =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';

/** A label value: empty, or at most 63 letters, digits, `-`, `_`, `.`, starting and ending alphanumeric. */
export const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$';

/** An image repository without tag or digest: `[registry[:port]/]path`. */
export const IMAGE_REPOSITORY =
  '^([A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?([.][A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$';

/** A file name without a folder. */
export const FILE_NAME = '^[A-Za-z0-9][-A-Za-z0-9_.]*$';

/** A Kubernetes resource quantity (`1Gi`, `500m`, `2`), as core/v1's OpenAPI schema writes it. */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** A string of at most `maxLength` characters that matches `pattern`, refused with `message`. */
export function patternedString(
  pattern: string,
  maxLength: number,
  description: string,
  message: string,
): JsonSchema {
  return {
    type: 'string',
    maxLength,
    description,
    'x-kubernetes-validations': [{ rule: `self.matches('${pattern}')`, message }],
  };
}

/** A name of a Kubernetes object (a DNS subdomain), refused with a message naming `field`. */
export function objectName(field: string, description: string): JsonSchema {
  return patternedString(
    DNS_SUBDOMAIN,
    253,
    description,
    `${field} must be a Kubernetes object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`,
  );
}

/** A map of label keys to label values (labels, nodeSelector), refused with messages naming `field`. */
export function labelMap(field: string, description: string): JsonSchema {
  return {
    type: 'object',
    description,
    maxProperties: 64,
    additionalProperties: {
      type: 'string',
      maxLength: 63,
      'x-kubernetes-validations': [
        {
          rule: `self.matches('${LABEL_VALUE}')`,
          message: `${field} values must be label values: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`,
        },
      ],
    },
    'x-kubernetes-validations': [qualifiedKeys(field)],
  };
}

/** A map of annotation keys to any text, refused with a message naming `field`. */
export function annotationMap(field: string, description: string): JsonSchema {
  return {
    type: 'object',
    description,
    maxProperties: 64,
    additionalProperties: { type: 'string', maxLength: 65_536 },
    'x-kubernetes-validations': [qualifiedKeys(field)],
  };
}

function qualifiedKeys(field: string): ValidationRule {
  return {
    rule: `self.all(k, size(k) <= 317 && k.matches('${QUALIFIED_NAME}'))`,
    message: `${field} keys must be qualified names: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.'`,
  };
}

/** A map of resource names to quantities (core/v1 ResourceRequirements' limits or requests). */
export function quantityMap(description: string): JsonSchema {
  return {
    type: 'object',
    description,
    maxProperties: 32,
    additionalProperties: {
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern: QUANTITY_PATTERN,
      'x-kubernetes-int-or-string': true,
    },
  };
}
