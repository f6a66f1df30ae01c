// The kinds the controllers read and write, as TypeMeta values for the client.
import type { TypeMeta } from '@switchboard/core';
import { MONITORING_API_VERSION } from '../api/index.js';

export const PROMETHEUS: TypeMeta = { apiVersion: MONITORING_API_VERSION, kind: 'Prometheus' };
export const ALERTMANAGER: TypeMeta = { apiVersion: MONITORING_API_VERSION, kind: 'Alertmanager' };
export const SERVICE_MONITOR: TypeMeta = { apiVersion: MONITORING_API_VERSION, kind: 'ServiceMonitor' };
export const POD_MONITOR: TypeMeta = { apiVersion: MONITORING_API_VERSION, kind: 'PodMonitor' };
export const PROMETHEUS_RULE: TypeMeta = { apiVersion: MONITORING_API_VERSION, kind: 'PrometheusRule' };
export const STATEFUL_SET: TypeMeta = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
export const SERVICE: TypeMeta = { apiVersion: 'v1', kind: 'Service' };
export const SECRET: TypeMeta = { apiVersion: 'v1', kind: 'Secret' };
export const CONFIG_MAP: TypeMeta = { apiVersion: 'v1', kind: 'ConfigMap' };
export const NAMESPACE: TypeMeta = { apiVersion: 'v1', kind: 'Namespace' };

/** The field manager of every server-side apply this operator makes. */
export const FIELD_MANAGER = 'prometheus-operator';
