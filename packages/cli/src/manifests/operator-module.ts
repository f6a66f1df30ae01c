// What `switchboard crd` and `switchboard rbac` read: a module of the
// operator that exports `operator` (or a default export) describing it. The
// description is plain data plus one function, so a project needs nothing
// but @switchboard/core to provide it:
//
//   export const operator = {
//     name: 'memcached-operator',                 // ClusterRole name
//     resources: [MemcachedResource],             // defineResource results (or CRD objects)
//     controllers(host) { addMemcachedController(host); },
//     rbac: { leaderElection: true, writes: 'update', rules: [] },  // extra permissions
//   };
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { KubeObject, Manager } from '@switchboard/core';

import { UsageError } from '../output.js';

/** One RBAC rule (rbac.authorization.k8s.io/v1 PolicyRule). */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** A resource definition (`defineResource`) or a CRD object. */
export type CrdSource = { crd(): KubeObject } | KubeObject;

/** An operator as the manifest generators see it. */
export interface OperatorDescription {
  /** Name of the ClusterRole (and, by convention, of the ServiceAccount and Deployment). */
  name: string;
  /** The custom resources it defines. */
  resources?: readonly CrdSource[];
  /**
   * Adds its controllers to a Manager: the one that runs them, or here one
   * that is never started and records what they watch, own and write.
   * Functions taking a `ControllerHost` fit too.
   */
  controllers?: (host: Manager) => unknown;
  rbac?: {
    /** Add the Lease permissions leader election needs. Default true. */
    leaderElection?: boolean;
    /**
     * How the controllers write, which decides the verbs they get.
     * - `update` (default): read-modify-write and patches. Reconciled kinds:
     *   get list watch update patch, their status get update patch; owned
     *   kinds every verb up to delete.
     * - `apply`: server-side apply only. Reconciled kinds are read (get list
     *   watch), their status patched; owned kinds get list watch create patch,
     *   and deletion is left to the garbage collector (declare `delete` in
     *   `rules` for kinds a controller deletes itself).
     */
    writes?: 'update' | 'apply';
    /** Permissions the controllers need beyond what they watch, own and reconcile. */
    rules?: readonly PolicyRule[];
  };
}

function isDescription(value: unknown): value is OperatorDescription {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['name'] === 'string' &&
    (v['resources'] === undefined || Array.isArray(v['resources'])) &&
    (v['controllers'] === undefined || typeof v['controllers'] === 'function')
  );
}

/** Checks an imported module's `operator` (or default) export. */
export function operatorFromModule(mod: Record<string, unknown>, where: string): OperatorDescription {
  const candidate = mod['operator'] ?? mod['default'];
  if (!isDescription(candidate)) {
    throw new UsageError(
      `${where} does not export an operator description: export const operator = { name, resources, controllers(host) { ... } } (see docs/schema.md)`,
    );
  }
  return candidate;
}

/** Imports the operator module at `path` (compiled JavaScript, e.g. dist/operator.js). */
export async function loadOperator(path: string): Promise<OperatorDescription> {
  const file = resolve(path);
  if (!existsSync(file)) {
    const hint = file.endsWith('.js') ? ' (build the project first: npm run build)' : '';
    throw new UsageError(`operator module ${path} not found${hint}; pass another with --module PATH`);
  }
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return operatorFromModule(mod, path);
}
