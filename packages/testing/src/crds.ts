// Installing an operator's CRDs into a test cluster so that the very next
// request can use them. "Established" is not enough for an operator: the API
// server's owner-reference admission (blockOwnerDeletion, which every
// controller reference sets) maps the owner's kind through a discovery cache
// that the API server refreshes only every 30 s, and until then it refuses
// such writes with "cannot find RESTMapping". A suite that starts its
// operator right after Established sees its first reconciles refused and
// backed off past its timeouts; installCrds waits that window out instead.
import { KubeConfig } from '@kubernetes/client-node';
import { Client, ForbiddenError } from '@switchboard/core';
import type { KubeObject, ResourceClient } from '@switchboard/core';

import { eventually } from './eventually.js';

const CRD_TYPE = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' } as const;

/** A CustomResourceDefinition manifest, e.g. a `ResourceDefinition`'s `crd()` or a parsed YAML file. */
export interface CrdManifest extends KubeObject {
  metadata: KubeObject['metadata'] & { name?: string };
  /** Read: `group`, `names.kind`, `versions[].name` and `.storage`. */
  spec: object;
}

/** The owner identity of a CRD's kind: its storage version. */
export function crdOwnerKind(crd: CrdManifest): { apiVersion: string; kind: string } {
  const spec = crd.spec as {
    group?: unknown;
    names?: { kind?: unknown };
    versions?: { name?: unknown; storage?: unknown }[];
  };
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  const version = versions.find((v) => v.storage === true) ?? versions[0];
  if (
    typeof spec.group !== 'string' ||
    typeof spec.names?.kind !== 'string' ||
    typeof version?.name !== 'string'
  )
    throw new Error(
      `CRD ${crd.metadata.name ?? '(unnamed)'}: expected spec.group, spec.names.kind and spec.versions[].name`,
    );
  return { apiVersion: `${spec.group}/${version.name}`, kind: spec.names.kind };
}

interface LiveCrd extends KubeObject {
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

/** Options of {@link installCrds}. */
export interface InstallCrdsOptions {
  /** Field manager of the server-side apply. Default `switchboard-tests`. */
  fieldManager?: string;
  /** How long to wait for each CRD to be usable, in ms. Default 60000 (two discovery refreshes). */
  timeoutMs?: number;
  /**
   * Also wait until controller references to the kinds are accepted (up to
   * the API server's 30 s discovery refresh). Default true; a suite that
   * only creates the kinds' objects, never objects they own, can skip it.
   */
  waitForOwnerReferences?: boolean;
}

/**
 * Applies CRDs (server-side apply with force: any order, any number of
 * times, by concurrent suites) and resolves once each is Established and the
 * API server accepts controller references to its kind, so an operator
 * started next is not refused its first writes.
 *
 * @example
 * ```ts
 * beforeAll(() => installCrds(testKubeConfig(), [MemcachedResource.crd()]));
 * ```
 */
export async function installCrds(
  kc: KubeConfig,
  crds: readonly CrdManifest[],
  opts: InstallCrdsOptions = {},
): Promise<void> {
  const client = Client.fromKubeConfig(kc);
  try {
    const api = client.resource<LiveCrd>(CRD_TYPE);
    // Malformed input fails before anything is applied.
    for (const crd of crds) {
      crdName(crd);
      if (opts.waitForOwnerReferences ?? true) crdOwnerKind(crd);
    }
    for (const crd of crds) {
      await api.apply(
        { ...crd, ...CRD_TYPE, metadata: { name: crdName(crd) } },
        { fieldManager: opts.fieldManager ?? 'switchboard-tests', force: true },
      );
    }
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    await Promise.all(crds.map((crd) => waitEstablished(client, crdName(crd), timeoutMs)));
    if (opts.waitForOwnerReferences ?? true)
      await waitOwnersMapped(client, kc, crds.map(crdOwnerKind), Math.max(1_000, deadline - Date.now()));
  } finally {
    client.close();
  }
}

/**
 * Resolves once the API server accepts objects controlled by objects of
 * each of `owners` (dry-run creates, nothing is stored). For CRDs installed
 * some other way, e.g. by `kubectl apply -k`: pass `crds.map(crdOwnerKind)`.
 */
export async function waitUntilOwnerKindsMapped(
  kc: KubeConfig,
  owners: readonly { apiVersion: string; kind: string }[],
  timeoutMs = 60_000,
): Promise<void> {
  const client = Client.fromKubeConfig(kc);
  try {
    await waitOwnersMapped(client, kc, owners, timeoutMs);
  } finally {
    client.close();
  }
}

function crdName(crd: CrdManifest): string {
  const name = crd.metadata.name;
  if (name === undefined || name === '') throw new Error('a CRD to install has no metadata.name');
  return name;
}

async function waitEstablished(client: Client, name: string, timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const live = await client.resource<LiveCrd>(CRD_TYPE).get({ name });
      const established = live.status?.conditions?.find((c) => c.type === 'Established');
      if (established?.status !== 'True')
        throw new Error(`not Established: ${established?.message ?? JSON.stringify(live.status ?? {})}`);
    },
    { timeout: timeoutMs, message: `CRD ${name} Established` },
  );
}

/** Matches the owner-reference admission's refusal while its discovery cache lacks the kind. */
const UNMAPPED = /cannot find RESTMapping/;
/** The refusal that proves the kind mapped: the probe user may not set finalizers on it. */
const MAPPED_BUT_DENIED = /cannot set blockOwnerDeletion/;

const PROBE_USER = 'switchboard:owner-kind-probe';
const PROBE_NAMESPACE = 'default';

/** A client that is {@link PROBE_USER}, allowed to create ConfigMaps in `default` and nothing else. */
async function probeClient(admin: Client, kc: KubeConfig, fieldManager: string): Promise<Client> {
  const rbac = (kind: string) =>
    admin.resource<KubeObject & Record<string, unknown>>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind,
    });
  const name = 'switchboard-owner-kind-probe';
  const metadata = { name, namespace: PROBE_NAMESPACE };
  await rbac('Role').apply(
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create'] }],
    },
    { fieldManager, force: true },
  );
  await rbac('RoleBinding').apply(
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: PROBE_USER }],
    },
    { fieldManager, force: true },
  );
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (cluster === null || user === null) throw new Error('the kubeconfig has no current cluster or user');
  const probe = new KubeConfig();
  probe.loadFromOptions({
    clusters: [cluster],
    users: [{ ...user, impersonateUser: PROBE_USER }],
    contexts: [{ name: 'owner-kind-probe', cluster: cluster.name, user: user.name }],
    currentContext: 'owner-kind-probe',
  });
  return Client.fromKubeConfig(probe);
}

/** Waits, with one probe client for all, until each of `owners` is accepted in owner references. */
async function waitOwnersMapped(
  admin: Client,
  kc: KubeConfig,
  owners: readonly { apiVersion: string; kind: string }[],
  timeoutMs: number,
): Promise<void> {
  if (owners.length === 0) return;
  const client = await probeClient(admin, kc, 'switchboard-tests');
  try {
    const configMaps = client.resource({ apiVersion: 'v1', kind: 'ConfigMap' });
    await Promise.all(owners.map((owner) => waitOwnerMapped(configMaps, owner, timeoutMs)));
  } finally {
    client.close();
  }
}

async function waitOwnerMapped(
  configMaps: ResourceClient<KubeObject>,
  owner: { apiVersion: string; kind: string },
  timeoutMs: number,
): Promise<void> {
  await eventually(
    async () => {
      try {
        await configMaps.create(
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              generateName: 'owner-kind-probe-',
              namespace: PROBE_NAMESPACE,
              ownerReferences: [
                {
                  ...owner,
                  name: 'probe',
                  uid: '00000000-0000-0000-0000-000000000000',
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
          },
          { dryRun: true },
        );
      } catch (err) {
        if (
          err instanceof ForbiddenError &&
          MAPPED_BUT_DENIED.test(err.message) &&
          !UNMAPPED.test(err.message)
        )
          return;
        if (err instanceof ForbiddenError && UNMAPPED.test(err.message))
          throw new Error(
            `the API server cannot map ${owner.kind} ${owner.apiVersion} for owner references yet`,
            { cause: err },
          );
        // Anything else (the probe's Role not in effect yet, say): try again.
        throw err;
      }
    },
    { timeout: timeoutMs, interval: 1_000, message: `${owner.kind} usable as an owner` },
  );
}
