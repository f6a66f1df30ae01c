// Schema fragments shared by several kinds, mirroring ../api/common.ts.
import { arrayOf, bool, int, mapOf, obj, opaqueObject, str } from './json-schema.js';
import type { JSONSchemaProps } from './json-schema.js';

/** Prometheus duration, e.g. `30s`, `1h30m`. */
export const duration = (description?: string): JSONSchemaProps =>
  str(description, {
    pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
  });

export const labelSelector: JSONSchemaProps = {
  ...obj({
    matchLabels: mapOf(str()),
    matchExpressions: arrayOf(
      obj(
        {
          key: str(),
          operator: str(undefined, { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }),
          values: arrayOf(str()),
        },
        ['key', 'operator'],
      ),
    ),
  }),
  'x-kubernetes-map-type': 'atomic',
};

export const secretKeySelector: JSONSchemaProps = {
  ...obj({ name: str(), key: str(), optional: bool() }, ['key']),
  'x-kubernetes-map-type': 'atomic',
};

export const configMapKeySelector = secretKeySelector;

const secretOrConfigMap = obj({ secret: secretKeySelector, configMap: configMapKeySelector });

export const safeTLSConfig: JSONSchemaProps = obj({
  ca: secretOrConfigMap,
  cert: secretOrConfigMap,
  keySecret: secretKeySelector,
  serverName: str(),
  insecureSkipVerify: bool(),
});

export const tlsConfig: JSONSchemaProps = obj({
  ...safeTLSConfig.properties,
  caFile: str(),
  certFile: str(),
  keyFile: str(),
});

export const basicAuth: JSONSchemaProps = obj({ username: secretKeySelector, password: secretKeySelector });

export const safeAuthorization: JSONSchemaProps = obj({ type: str(), credentials: secretKeySelector });

export const relabelConfig: JSONSchemaProps = obj({
  sourceLabels: arrayOf(str()),
  separator: str(),
  targetLabel: str(),
  regex: str(),
  modulus: int(),
  replacement: str(),
  action: str(undefined, {
    enum: [
      'replace',
      'Replace',
      'keep',
      'Keep',
      'drop',
      'Drop',
      'hashmod',
      'HashMod',
      'labelmap',
      'LabelMap',
      'labeldrop',
      'LabelDrop',
      'labelkeep',
      'LabelKeep',
      'lowercase',
      'Lowercase',
      'uppercase',
      'Uppercase',
      'keepequal',
      'KeepEqual',
      'dropequal',
      'DropEqual',
    ],
  }),
});

export const namespaceSelector: JSONSchemaProps = obj({ any: bool(), matchNames: arrayOf(str()) });

export const scheme: JSONSchemaProps = str(undefined, { enum: ['http', 'https', 'HTTP', 'HTTPS'] });

export const condition: JSONSchemaProps = obj(
  {
    type: str(),
    status: str(),
    lastTransitionTime: str(undefined, { format: 'date-time' }),
    reason: str(),
    message: str(),
    observedGeneration: int(undefined, { format: 'int64' }),
  },
  ['type', 'status'],
);

export const resources: JSONSchemaProps = obj({
  limits: mapOf({ anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true }),
  requests: mapOf({ anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true }),
});

export const storage: JSONSchemaProps = obj({
  emptyDir: obj({ medium: str(), sizeLimit: str() }),
  volumeClaimTemplate: obj({ metadata: opaqueObject(), spec: opaqueObject() }),
});

export const workloadStatus: Record<string, JSONSchemaProps> = {
  paused: bool(),
  replicas: int(),
  updatedReplicas: int(),
  availableReplicas: int(),
  unavailableReplicas: int(),
  conditions: {
    ...arrayOf(condition),
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  },
};
