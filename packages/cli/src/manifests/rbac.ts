// `switchboard rbac`: the ClusterRole an operator needs, derived from what its
// controllers do, plus declared extras. Least privilege, no wildcards:
//   reconciled kinds  get list watch update patch; status get update patch;
//                     finalizers update (owner references that block deletion)
//   owned kinds       get list watch create update patch delete
//   watched kinds     get list watch
// With `rbac.writes: 'apply'` (server-side apply only) reconciled kinds are
// read-only, status gets patch, and owned kinds get list watch create patch.
//   events            create patch (when an EventRecorder was made)
//   leases            get list watch create update patch (leader election)
import type { TypeMeta } from '@switchboard/core';
import { parseApiVersion } from '@switchboard/core';
import { stringify } from 'yaml';

import type { OperatorDescription, PolicyRule } from './operator-module.js';
import { recordControllers } from './record-controllers.js';

const READ = ['get', 'list', 'watch'];
const RECONCILE = [...READ, 'update', 'patch'];
const OWN = [...READ, 'create', 'update', 'patch', 'delete'];
const STATUS = ['get', 'update', 'patch'];
const APPLY_OWN = [...READ, 'create', 'patch'];
const APPLY_STATUS = ['patch'];
const EVENTS = ['create', 'patch'];
const LEASES = [...READ, 'create', 'update', 'patch'];
const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** Plurals of built-in kinds whose plural is not simply lower-case + "s". */
const IRREGULAR: Record<string, string> = {
  Endpoints: 'endpoints',
  Ingress: 'ingresses',
  NetworkPolicy: 'networkpolicies',
  PodSecurityPolicy: 'podsecuritypolicies',
  StorageClass: 'storageclasses',
  PriorityClass: 'priorityclasses',
  IngressClass: 'ingressclasses',
  RuntimeClass: 'runtimeclasses',
};

function pluralOf(kind: string, defined: ReadonlyMap<string, string>, group: string): string {
  const known = defined.get(`${group}/${kind}`) ?? IRREGULAR[kind];
  if (known) return known;
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

function definedPlurals(op: OperatorDescription): Map<string, string> {
  const plurals = new Map<string, string>();
  for (const r of op.resources ?? []) {
    const crd = ('crd' in r && typeof r.crd === 'function' ? r.crd() : r) as {
      spec?: { group?: string; names?: { kind?: string; plural?: string } };
    };
    const s = crd.spec;
    if (s?.group && s.names?.kind && s.names.plural)
      plurals.set(`${s.group}/${s.names.kind}`, s.names.plural);
  }
  return plurals;
}

/** Merges rules with the same group and verbs; sorted, so output is stable. */
export function mergeRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const byGroupVerbs = new Map<string, { group: string; verbs: string[]; resources: Set<string> }>();
  const perResource = new Map<string, Set<string>>();
  for (const r of rules.filter((r) => r.resourceNames === undefined)) {
    for (const g of r.apiGroups) {
      for (const res of r.resources) {
        const key = `${g}\u0000${res}`;
        const verbs = perResource.get(key) ?? new Set<string>();
        r.verbs.forEach((v) => verbs.add(v));
        perResource.set(key, verbs);
      }
    }
  }
  for (const [key, verbSet] of perResource) {
    const [group = '', resource = ''] = key.split('\u0000');
    const verbs = [...verbSet].sort(
      (a, b) => VERB_ORDER.indexOf(a) - VERB_ORDER.indexOf(b) || a.localeCompare(b),
    );
    const id = `${group}\u0000${verbs.join(',')}`;
    const entry = byGroupVerbs.get(id) ?? { group, verbs, resources: new Set<string>() };
    entry.resources.add(resource);
    byGroupVerbs.set(id, entry);
  }
  const merged = [...byGroupVerbs.values()]
    .map((e) => ({ apiGroups: [e.group], resources: [...e.resources].sort(), verbs: e.verbs }))
    .sort(
      (a, b) =>
        (a.apiGroups[0] ?? '').localeCompare(b.apiGroups[0] ?? '') ||
        (a.resources[0] ?? '').localeCompare(b.resources[0] ?? ''),
    );
  return [...merged, ...rules.filter((r) => r.resourceNames !== undefined)];
}

/** The rules an operator needs. */
export function rbacRules(op: OperatorDescription): PolicyRule[] {
  const recorded = recordControllers(op);
  const plurals = definedPlurals(op);
  const rule = (type: TypeMeta, verbs: string[], sub?: string): PolicyRule => {
    const { group } = parseApiVersion(type.apiVersion);
    const plural = pluralOf(type.kind, plurals, group);
    return { apiGroups: [group], resources: [sub ? `${plural}/${sub}` : plural], verbs };
  };
  const apply = op.rbac?.writes === 'apply';
  const rules: PolicyRule[] = [
    ...recorded.reconciled.flatMap((t) => [
      rule(t, apply ? READ : RECONCILE),
      rule(t, apply ? APPLY_STATUS : STATUS, 'status'),
      ...(recorded.owned.length > 0 ? [rule(t, ['update'], 'finalizers')] : []),
    ]),
    ...recorded.owned.map((t) => rule(t, apply ? APPLY_OWN : OWN)),
    ...recorded.watched.map((t) => rule(t, READ)),
    ...recorded.clients.filter((t) => t.kind === 'Event').map((t) => rule(t, EVENTS)),
    ...((op.rbac?.leaderElection ?? true)
      ? [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: LEASES }]
      : []),
    ...(op.rbac?.rules ?? []),
  ];
  return mergeRules(rules);
}

/** The ClusterRole manifest (config/rbac/role.yaml). */
export function rbacFiles(
  op: OperatorDescription,
  command = 'switchboard rbac --write',
): { path: string; content: string }[] {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: op.name },
    rules: rbacRules(op),
  };
  return [
    {
      path: 'role.yaml',
      content: `# Generated by \`${command}\` from what the controllers watch, own and reconcile. Do not edit.\n${stringify(role, { lineWidth: 0 })}`,
    },
  ];
}
