// Runs an operator in a test under the API server's RBAC, as its own
// ServiceAccount with exactly the permissions of its RBAC manifests: the
// proof that those manifests are complete (every call the operator makes is
// allowed) without granting anything the manifests do not.
//
// The manifests move into the test's namespace: the ServiceAccount and
// namespaced Roles and bindings go there; ClusterRoles and ClusterRoleBindings
// get the namespace appended to their names (so suites never touch a deployed
// operator's, nor each other's) and are owned by the test Namespace, so the
// garbage collector removes them with it. Rules are never changed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { KubeConfig } from '@kubernetes/client-node';
import { Client } from '@switchboard/core';
import type { KubeObject } from '@switchboard/core';
import { parseAllDocuments } from 'yaml';

import { eventually } from './eventually.js';

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}
interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}
interface RbacObject extends KubeObject {
  rules?: { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[] }[];
  roleRef?: RoleRef;
  subjects?: Subject[];
}

/** Options of {@link runAsServiceAccount}. */
export interface ServiceAccountRbacOptions {
  /**
   * Folder of the operator's RBAC manifests (config/rbac): a ServiceAccount,
   * ClusterRoles or Roles, and their bindings. Every `*.yaml` in it but
   * `kustomization.yaml` is read.
   */
  rbacDir: string;
  /** The test's namespace; it must exist. The ServiceAccount and namespaced objects move into it. */
  namespace: string;
  /** Which ServiceAccount of the manifests to be, when they hold more than one. Default: the only one. */
  serviceAccount?: string;
  /** Lifetime of the token, in seconds. Default 7200 (the suite must end before it). */
  tokenExpirationSeconds?: number;
}

/** An identity made from an operator's RBAC manifests. */
export interface ServiceAccountIdentity {
  /** `system:serviceaccount:<namespace>:<name>`, as the API server sees the caller. */
  readonly username: string;
  /** Authenticates as the ServiceAccount with a token from the TokenRequest API; same server and CA as the admin's. */
  readonly kubeConfig: KubeConfig;
  /** Names of the objects created, as `Kind/name`. */
  readonly created: readonly string[];
}

function readManifests(dir: string): RbacObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as unknown))
    .filter((o): o is RbacObject => typeof o === 'object' && o !== null && 'kind' in o);
}

/** Identities made so far, by folder, namespace and account: an operator may be started again in a namespace. */
const identities = new Map<string, Promise<ServiceAccountIdentity>>();

/**
 * Creates the operator's ServiceAccount, roles and bindings from its RBAC
 * manifests inside a test namespace, and returns a KubeConfig that is that
 * ServiceAccount. Resolves once the API server authorizes with the new
 * bindings. Called again with the same folder, namespace and account (an
 * operator restarted in a test), it returns the same identity.
 *
 * @example
 * ```ts
 * const ns = await createTestNamespace(admin, 'etcd-e2e');
 * const { kubeConfig } = await runAsServiceAccount(admin, { rbacDir: 'operators/etcd/config/rbac', namespace: ns.name });
 * const manager = new Manager({ client: Client.fromKubeConfig(kubeConfig), namespace: ns.name });
 * ```
 */
export function runAsServiceAccount(
  admin: KubeConfig,
  opts: ServiceAccountRbacOptions,
): Promise<ServiceAccountIdentity> {
  const key = [opts.rbacDir, opts.namespace, opts.serviceAccount ?? ''].join('\u0000');
  let identity = identities.get(key);
  if (!identity) {
    identity = createIdentity(admin, opts);
    identities.set(key, identity);
    identity.catch(() => identities.delete(key));
  }
  return identity;
}

async function createIdentity(
  admin: KubeConfig,
  opts: ServiceAccountRbacOptions,
): Promise<ServiceAccountIdentity> {
  const { namespace } = opts;
  const manifests = readManifests(opts.rbacDir);
  const accounts = manifests.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name ?? '');
  const account = opts.serviceAccount ?? (accounts.length === 1 ? accounts[0] : undefined);
  if (account === undefined || !accounts.includes(account)) {
    throw new Error(
      `${opts.rbacDir}: expected ${opts.serviceAccount ? `ServiceAccount ${opts.serviceAccount}` : 'exactly one ServiceAccount'}, found ${accounts.join(', ') || 'none'}`,
    );
  }
  const client = Client.fromKubeConfig(admin);
  const ns = await client.resource({ apiVersion: 'v1', kind: 'Namespace' }).get({ name: namespace });
  const owner = {
    apiVersion: 'v1',
    kind: 'Namespace',
    name: namespace,
    uid: ns.metadata.uid ?? '',
  };
  const clusterRoles = new Set(manifests.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name));
  const renamed = (name: string | undefined): string => `${name ?? ''}-${namespace}`;
  const roleRef = (ref: RoleRef): RoleRef =>
    ref.kind === 'ClusterRole' && clusterRoles.has(ref.name) ? { ...ref, name: renamed(ref.name) } : ref;
  const subjects = (list: Subject[] = []): Subject[] =>
    list.map((s) => (s.kind === 'ServiceAccount' ? { ...s, namespace } : s));

  const created: string[] = [];
  for (const obj of manifests) {
    const clusterScoped = obj.kind === 'ClusterRole' || obj.kind === 'ClusterRoleBinding';
    const moved: RbacObject = {
      ...obj,
      metadata: clusterScoped
        ? { name: renamed(obj.metadata.name), labels: obj.metadata.labels ?? {}, ownerReferences: [owner] }
        : { ...obj.metadata, namespace },
      ...(obj.roleRef ? { roleRef: roleRef(obj.roleRef) } : {}),
      ...(obj.subjects ? { subjects: subjects(obj.subjects) } : {}),
    };
    await client.resource({ apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '' }).create(moved);
    created.push(`${obj.kind}/${moved.metadata.name}`);
  }

  const res = await client.transport.request({
    method: 'POST',
    path: `/api/v1/namespaces/${namespace}/serviceaccounts/${account}/token`,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: opts.tokenExpirationSeconds ?? 7200 },
    },
  });
  const token = (res.body as { status?: { token?: string } }).status?.token;
  if (token === undefined)
    throw new Error(`no token for ${namespace}/${account}: ${JSON.stringify(res.body)}`);
  const cluster = admin.getCurrentCluster();
  if (cluster === null) throw new Error('the admin kubeconfig has no current cluster');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [cluster],
    users: [{ name: account, token }],
    contexts: [{ name: account, cluster: cluster.name, user: account, namespace }],
    currentContext: account,
  });

  // The RBAC authorizer works from a cache: wait until it sees the bindings.
  const probe = manifests.flatMap((o) => o.rules ?? []).find((r) => r.resourceNames === undefined);
  if (probe) {
    const asAccount = Client.fromKubeConfig(kubeConfig);
    const attributes = {
      namespace,
      verb: probe.verbs[0],
      group: probe.apiGroups?.[0] ?? '',
      resource: probe.resources?.[0] ?? '',
    };
    await eventually(
      async () => {
        const review = await asAccount.transport.request({
          method: 'POST',
          path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: attributes },
          },
        });
        const allowed = (review.body as { status?: { allowed?: boolean } }).status?.allowed;
        if (allowed !== true) throw new Error(`not yet allowed: ${JSON.stringify(attributes)}`);
      },
      { timeout: 15_000, message: `RBAC of ${account} in effect` },
    );
    asAccount.close();
  }
  client.close();
  return { username: `system:serviceaccount:${namespace}:${account}`, kubeConfig, created };
}
