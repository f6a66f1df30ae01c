// CustomResourceDefinitions for the five kinds, built from the schemas in
// kind-schemas.ts. `config/crd/*.yaml` is generated from these (see
// crds.test.ts), never edited by hand.
import { MONITORING_GROUP } from '../api/common.js';
import {
  alertmanagerSpec,
  podMonitorSpec,
  prometheusRuleSpec,
  prometheusRuleStatus,
  prometheusSpec,
  serviceMonitorSpec,
  workloadStatusSchema,
} from './kind-schemas.js';
import { obj, str } from './json-schema.js';
import type { JSONSchemaProps } from './json-schema.js';

/** One additional printer column of `kubectl get`. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** An apiextensions.k8s.io/v1 CustomResourceDefinition, as far as we fill it. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: 'Namespaced';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: JSONSchemaProps };
      subresources?: { status: Record<string, never> };
      additionalPrinterColumns?: PrinterColumn[];
    }[];
  };
}

interface KindDefinition {
  kind: string;
  plural: string;
  shortNames: string[];
  spec: JSONSchemaProps;
  specRequired: boolean;
  status?: JSONSchemaProps;
  columns?: PrinterColumn[];
}

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

const workloadColumns = (what: string): PrinterColumn[] => [
  { name: 'Version', type: 'string', jsonPath: '.spec.version', description: `The version of ${what}` },
  {
    name: 'Replicas',
    type: 'integer',
    jsonPath: '.spec.replicas',
    description: 'The number of desired replicas',
  },
  {
    name: 'Ready',
    type: 'integer',
    jsonPath: '.status.availableReplicas',
    description: 'The number of ready replicas',
  },
  { name: 'Reconciled', type: 'string', jsonPath: ".status.conditions[?(@.type == 'Reconciled')].status" },
  { name: 'Available', type: 'string', jsonPath: ".status.conditions[?(@.type == 'Available')].status" },
  AGE,
  {
    name: 'Paused',
    type: 'boolean',
    jsonPath: '.status.paused',
    priority: 1,
    description: 'Whether reconciliation is paused',
  },
];

const KINDS: readonly KindDefinition[] = [
  {
    kind: 'Alertmanager',
    plural: 'alertmanagers',
    shortNames: ['am'],
    spec: alertmanagerSpec,
    specRequired: true,
    status: workloadStatusSchema,
    columns: workloadColumns('Alertmanager'),
  },
  {
    kind: 'PodMonitor',
    plural: 'podmonitors',
    shortNames: ['pmon'],
    spec: podMonitorSpec,
    specRequired: true,
  },
  {
    kind: 'Prometheus',
    plural: 'prometheuses',
    shortNames: ['prom'],
    spec: prometheusSpec,
    specRequired: true,
    status: workloadStatusSchema,
    columns: workloadColumns('Prometheus'),
  },
  {
    kind: 'PrometheusRule',
    plural: 'prometheusrules',
    shortNames: ['promrule'],
    spec: prometheusRuleSpec,
    specRequired: true,
    status: prometheusRuleStatus,
  },
  {
    kind: 'ServiceMonitor',
    plural: 'servicemonitors',
    shortNames: ['smon'],
    spec: serviceMonitorSpec,
    specRequired: true,
  },
];

function crdFor(def: KindDefinition): CustomResourceDefinition {
  const properties: Record<string, JSONSchemaProps> = {
    apiVersion: str(),
    kind: str(),
    metadata: { type: 'object' },
    spec: def.spec,
  };
  if (def.status !== undefined) properties['status'] = def.status;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${MONITORING_GROUP}` },
    spec: {
      group: MONITORING_GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.kind.toLowerCase(),
        shortNames: def.shortNames,
        categories: ['prometheus-operator'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: obj(properties, def.specRequired ? ['spec'] : []) },
          ...(def.status === undefined ? {} : { subresources: { status: {} } }),
          ...(def.columns === undefined ? {} : { additionalPrinterColumns: def.columns }),
        },
      ],
    },
  };
}

/**
 * The CRDs of every kind this operator serves, sorted by plural name.
 *
 * @example
 * ```ts
 * for (const crd of monitoringCrds()) await crds.apply(crd, { fieldManager: 'prometheus-operator' });
 * ```
 */
export function monitoringCrds(): CustomResourceDefinition[] {
  return KINDS.map(crdFor);
}
