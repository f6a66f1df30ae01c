// The five kinds as resource definitions (@switchboard/core's defineResource),
// from the schemas in kind-schemas.ts. `config/crd/*.yaml` is generated from
// these by `switchboard crd --write` (the check in npm test fails on drift),
// never edited by hand.
import { defineResource } from '@switchboard/core';
import type { CustomResourceDefinitionManifest, PrinterColumn, ResourceDefinition } from '@switchboard/core';
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
import type { JSONSchemaProps } from './json-schema.js';

interface KindDefinition {
  kind: string;
  plural: string;
  shortNames: string[];
  spec: JSONSchemaProps;
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
    status: workloadStatusSchema,
    columns: workloadColumns('Alertmanager'),
  },
  {
    kind: 'PodMonitor',
    plural: 'podmonitors',
    shortNames: ['pmon'],
    spec: podMonitorSpec,
  },
  {
    kind: 'Prometheus',
    plural: 'prometheuses',
    shortNames: ['prom'],
    spec: prometheusSpec,
    status: workloadStatusSchema,
    columns: workloadColumns('Prometheus'),
  },
  {
    kind: 'PrometheusRule',
    plural: 'prometheusrules',
    shortNames: ['promrule'],
    spec: prometheusRuleSpec,
    status: prometheusRuleStatus,
  },
  {
    kind: 'ServiceMonitor',
    plural: 'servicemonitors',
    shortNames: ['smon'],
    spec: serviceMonitorSpec,
  },
];

function resourceFor(def: KindDefinition): ResourceDefinition<unknown, unknown> {
  return defineResource({
    group: MONITORING_GROUP,
    version: 'v1',
    kind: def.kind,
    plural: def.plural,
    shortNames: def.shortNames,
    categories: ['prometheus-operator'],
    scope: 'Namespaced',
    spec: def.spec,
    ...(def.status === undefined ? {} : { status: def.status }),
    ...(def.columns === undefined ? {} : { printerColumns: def.columns }),
  });
}

/** The five kinds this operator serves, sorted by plural name: CRD, validator and typed client each. */
export const monitoringResources: readonly ResourceDefinition<unknown, unknown>[] = KINDS.map(resourceFor);

/**
 * The CRDs of every kind this operator serves, sorted by plural name.
 *
 * @example
 * ```ts
 * for (const crd of monitoringCrds()) await crds.apply(crd, { fieldManager: 'prometheus-operator' });
 * ```
 */
export function monitoringCrds(): CustomResourceDefinitionManifest[] {
  return monitoringResources.map((r) => r.crd());
}
