// The kinds the bench works with, shared by the driver and the subjects.
import type { KubeObject, TypeMeta } from '@switchboard/core';

/** A ConfigMap as the bench uses it. */
export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export const CONFIG_MAP: TypeMeta = { apiVersion: 'v1', kind: 'ConfigMap' };

/** The bench's custom resource: figure 5 writes `status.observed` once per object. */
export interface Widget extends KubeObject {
  spec?: { value?: number };
  status?: { observed?: string };
}

export const WIDGET: TypeMeta = { apiVersion: 'bench.switchboard.dev/v1', kind: 'Widget' };

/** Name of the i-th seeded object, e.g. `cm-00042`. */
export function objectName(prefix: string, i: number): string {
  return `${prefix}-${String(i).padStart(5, '0')}`;
}
