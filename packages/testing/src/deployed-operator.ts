// An operator deployed the way users deploy it: `kubectl apply -k` of its
// kustomization (the kubectl built with the control plane), then looked at
// from outside, as a person would: the Deployment's Pods and their readiness,
// the leader-election Lease, each Pod's /metrics. Removal is `kubectl delete
// -k` of the same folder, waiting until every object, cluster-scoped ones
// included, is gone, so the suites after it find the cluster as it was.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { AppsV1Api, CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

import { kubernetesBinary } from './control-plane/paths.js';
import { crdOwnerKind, waitUntilOwnerKindsMapped } from './crds.js';
import type { CrdManifest } from './crds.js';
import { eventually } from './eventually.js';
import { CommandError, run } from './node/command.js';

/** Runs the kubectl built with the control plane against `kubeconfig`; resolves with its stdout. */
export function kubectl(kubeconfig: string, args: readonly string[], timeoutMs = 180_000): Promise<string> {
  return run(kubernetesBinary('kubectl'), ['--kubeconfig', kubeconfig, ...args], { timeoutMs });
}

/** Where a deployed operator lives. */
export interface DeployedOperatorOptions {
  /** The kustomization folder, e.g. `operators/etcd/config/default`. */
  readonly kustomization: string;
  /** Its namespace. */
  readonly namespace: string;
  /** Name of its Deployment; its Pods are those matching the Deployment's selector. */
  readonly deployment: string;
  /** Name of its leader-election Lease (in `namespace`). */
  readonly leaseName: string;
  /** Container port of /metrics. Default 8080. */
  readonly metricsPort?: number;
  /** Its ServiceAccount (in `namespace`). Default: the Deployment's name. */
  readonly serviceAccount?: string;
}

/** Who holds a Lease, as the Lease says. */
export interface LeaseHolder {
  /** The holder's identity, `<pod name>_<uuid>` for a Switchboard manager. */
  readonly identity: string;
  /** The Pod whose name starts the identity. */
  readonly pod: string;
  readonly acquireTime?: Date;
  readonly renewTime?: Date;
  readonly leaseDurationSeconds: number;
  readonly leaseTransitions: number;
}

/** How leadership passed after the leader was killed. */
export interface LeaderHandover {
  readonly previous: LeaseHolder;
  readonly next: LeaseHolder;
  /** The Lease's own clock: the killed leader's last renewal to the new holder's acquisition. */
  readonly leaseHandoverMs: number;
  /** The test's clock: the kill to the new holder seen. */
  readonly observedMs: number;
}

/** An operator installed from its kustomization. */
export interface DeployedOperator {
  readonly options: DeployedOperatorOptions;
  /** Its Pods that are not being deleted, oldest first. */
  pods(): Promise<V1Pod[]>;
  /** Resolves with the Pods once exactly `replicas` are Ready (and none is being deleted). */
  waitReady(replicas: number, timeoutMs?: number): Promise<V1Pod[]>;
  /** The Lease's current holder; undefined while nobody holds it. */
  leader(): Promise<LeaseHolder | undefined>;
  /** Waits for a holder other than `previous` (any holder when undefined). */
  nextLeader(previous?: LeaseHolder, timeoutMs?: number): Promise<LeaseHolder>;
  /** The text of a Pod's /metrics, fetched from its Pod IP. */
  metrics(pod: V1Pod): Promise<string>;
  /** `controller_runtime_reconcile_total` of the given controllers, summed, per Pod name. */
  reconcileCounts(pods: readonly V1Pod[], controllers: readonly string[]): Promise<Map<string, number>>;
  /**
   * Waits until the leader's reconcile count, and no other Pod's, has grown
   * beyond `since` (default 0 for every Pod): one replica reconciles, the
   * others stand by. Resolves with the leader.
   */
  waitOnlyLeaderReconciles(
    controllers: readonly string[],
    since?: ReadonlyMap<string, number>,
    timeoutMs?: number,
  ): Promise<LeaseHolder>;
  /**
   * Kills the leader without a graceful release (`kill` gets its Pod name,
   * e.g. a SIGKILL through the local cluster's faults) and waits for another
   * replica to take the Lease.
   */
  killLeader(kill: (pod: string) => Promise<void>): Promise<LeaderHandover>;
  /** `kubectl auth can-i ARGS --as` the operator's ServiceAccount: true for yes. */
  can(...args: string[]): Promise<boolean>;
  /** The RoleBindings and ClusterRoleBindings naming its ServiceAccount, as `Kind/name` (Roles as `Kind/namespace/name`), sorted. */
  bindings(): Promise<string[]>;
  /**
   * `kubectl delete -k`, waiting until every object is gone; the namespaces
   * named are deleted and waited for first, while the operator still runs
   * (their objects' finalizers may need it).
   */
  uninstall(options?: { namespacesFirst?: readonly string[] }): Promise<void>;
}

/** Seconds from a Pod's creation, and from its container's start, to Ready (whole seconds, as the API reports). */
export function podStartToReady(
  pod: V1Pod,
): { createdToReadyS: number; startedToReadyS: number } | undefined {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
  const started = pod.status?.containerStatuses?.[0]?.state?.running?.startedAt;
  const created = pod.metadata?.creationTimestamp;
  if (!ready?.lastTransitionTime || !started || !created) return undefined;
  const at = (d: Date | string) => new Date(d).getTime();
  return {
    createdToReadyS: (at(ready.lastTransitionTime) - at(created)) / 1000,
    startedToReadyS: (at(ready.lastTransitionTime) - at(started)) / 1000,
  };
}

/**
 * The longest a killed leader's Lease may take to pass on, in ms from its
 * last renewal (a Switchboard manager's elector, as client-go's): a standby
 * takes it once it has seen no renewal for the lease duration, seeing the
 * last renewal up to one retry period (+20 % jitter) late and trying again
 * one retry period after the expiry; `slackMs` covers API latency.
 */
export function leaseHandoverBoundMs(
  leaseDurationSeconds: number,
  retryPeriodMs = 2000,
  slackMs = 3000,
): number {
  return leaseDurationSeconds * 1000 + 2 * 1.2 * retryPeriodMs + slackMs;
}

/**
 * Sums a counter or gauge over the samples of a Prometheus text exposition
 * whose labels include every `labels` pair; 0 when none matches.
 */
export function metricValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(m[3]);
  }
  return sum;
}

const isReady = (p: V1Pod) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * `kubectl apply -k` of an operator's kustomization, unchanged; resolves once
 * the objects are in and the CRDs served (wait for the Pods with `waitReady`).
 *
 * @example
 * const op = await deployOperator(kc, kubeconfigPath, {
 *   kustomization: 'operators/etcd/config/default',
 *   namespace: 'etcd-operator-system', deployment: 'etcd-operator', leaseName: 'etcd-operator-leader',
 * });
 * const [leader] = await op.waitReady(2);
 * await op.uninstall();
 */
export async function deployOperator(
  kc: KubeConfig,
  kubeconfig: string,
  options: DeployedOperatorOptions,
): Promise<DeployedOperator> {
  const remove = (): Promise<string> =>
    kubectl(
      kubeconfig,
      ['delete', '-k', options.kustomization, '--ignore-not-found', '--wait', '--timeout=180s'],
      240_000,
    );
  const crdObjects = (await renderKustomization(options.kustomization))
    .filter((o) => o.kind === 'CustomResourceDefinition')
    .map((o) => o as unknown as CrdManifest);
  const crds = crdObjects.map((o) => `crd/${o.metadata.name ?? ''}`);
  try {
    await kubectl(kubeconfig, ['apply', '-k', options.kustomization]);
    // Its CRDs served, and usable as owners, before anyone creates objects of their kinds.
    if (crds.length > 0)
      await kubectl(kubeconfig, ['wait', '--for=condition=Established', ...crds, '--timeout=60s']);
    await waitUntilOwnerKindsMapped(kc, crdObjects.map(crdOwnerKind));
  } catch (err) {
    // Leave nothing half-installed for the suites after this one.
    await remove().catch(() => undefined);
    throw err;
  }
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const { namespace } = options;
  const account = options.serviceAccount ?? options.deployment;

  const pods = async (): Promise<V1Pod[]> => {
    const deployment = await apps.readNamespacedDeployment({ namespace, name: options.deployment });
    const selector = Object.entries(deployment.spec?.selector.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const list = await core.listNamespacedPod({ namespace, labelSelector: selector });
    return list.items
      .filter((p) => !p.metadata?.deletionTimestamp)
      .sort(
        (a, b) =>
          new Date(a.metadata?.creationTimestamp ?? 0).getTime() -
          new Date(b.metadata?.creationTimestamp ?? 0).getTime(),
      );
  };

  const leader = async (): Promise<LeaseHolder | undefined> => {
    let lease;
    try {
      lease = await coordination.readNamespacedLease({ namespace, name: options.leaseName });
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
    const identity = lease.spec?.holderIdentity;
    if (!identity) return undefined;
    return {
      identity,
      pod: identity.split('_')[0] ?? identity,
      ...(lease.spec?.acquireTime ? { acquireTime: new Date(lease.spec.acquireTime) } : {}),
      ...(lease.spec?.renewTime ? { renewTime: new Date(lease.spec.renewTime) } : {}),
      leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? 0,
      leaseTransitions: lease.spec?.leaseTransitions ?? 0,
    };
  };

  const nextLeader = (previous?: LeaseHolder, timeoutMs = 90_000): Promise<LeaseHolder> =>
    eventually(
      async () => {
        const holder = await leader();
        if (!holder || holder.identity === previous?.identity)
          throw new Error(`Lease held by ${holder?.identity ?? 'nobody'}`);
        return holder;
      },
      { timeout: timeoutMs, interval: 200, message: `a leader of ${options.leaseName}` },
    );

  const metrics = async (pod: V1Pod): Promise<string> => {
    const ip = pod.status?.podIP;
    if (!ip) throw new Error(`${pod.metadata?.name} has no IP`);
    const res = await fetch(`http://${ip}:${options.metricsPort ?? 8080}/metrics`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) throw new Error(`${pod.metadata?.name} /metrics: HTTP ${res.status}`);
    return res.text();
  };

  const reconcileCounts = async (
    list: readonly V1Pod[],
    controllers: readonly string[],
  ): Promise<Map<string, number>> => {
    const out = new Map<string, number>();
    for (const p of list) {
      const text = await metrics(p);
      out.set(
        p.metadata?.name ?? '',
        controllers.reduce(
          (sum, controller) => sum + metricValue(text, 'controller_runtime_reconcile_total', { controller }),
          0,
        ),
      );
    }
    return out;
  };

  return {
    options,
    pods,
    waitReady: (replicas, timeoutMs = 180_000) => {
      // An image that cannot be pulled never becomes Ready: say so at once,
      // rather than after the whole timeout as one more "not Ready".
      const unpullable = new AbortController();
      return eventually(
        async () => {
          const current = await pods();
          const pull = current.map(imagePullFailure).find((f) => f !== undefined);
          if (pull !== undefined) unpullable.abort(new ImagePullError(options.deployment, pull));
          const summary = current.map((p) => `${p.metadata?.name} ${p.status?.phase} ready=${isReady(p)}`);
          if (current.length !== replicas || !current.every(isReady))
            throw new Error(`want ${replicas} Ready: ${summary.join('; ') || 'no pods'}`);
          return current;
        },
        {
          timeout: timeoutMs,
          interval: 500,
          message: `${options.deployment}: ${replicas} Ready Pods`,
          signal: unpullable.signal,
        },
      );
    },
    leader,
    nextLeader,
    async can(...args) {
      const as = `system:serviceaccount:${namespace}:${account}`;
      // can-i exits 1 for "no".
      let out: string;
      try {
        out = await kubectl(kubeconfig, ['auth', 'can-i', '--as', as, ...args]);
      } catch (err) {
        if (!(err instanceof CommandError && err.exitCode === 1)) throw err;
        out = 'no';
      }
      return out.trim() === 'yes';
    },
    async bindings() {
      const list = JSON.parse(
        await kubectl(kubeconfig, ['get', 'clusterrolebindings,rolebindings', '-A', '-o', 'json']),
      ) as {
        items: {
          kind: string;
          metadata: { name: string; namespace?: string };
          subjects?: { kind: string; name: string; namespace?: string }[];
        }[];
      };
      return list.items
        .filter((b) =>
          b.subjects?.some(
            (s) => s.kind === 'ServiceAccount' && s.name === account && s.namespace === namespace,
          ),
        )
        .map((b) => [b.kind, b.metadata.namespace, b.metadata.name].filter(Boolean).join('/'))
        .sort();
    },
    metrics,
    reconcileCounts,
    async waitOnlyLeaderReconciles(controllers, since = new Map(), timeoutMs = 90_000) {
      return eventually(
        async () => {
          const holder = await leader();
          if (!holder) throw new Error('nobody holds the Lease');
          const counts = await reconcileCounts(await pods(), controllers);
          const grew = [...counts].filter(([pod, n]) => n > (since.get(pod) ?? 0)).map(([pod]) => pod);
          if (grew.length !== 1 || grew[0] !== holder.pod)
            throw new Error(`leader ${holder.pod}; reconciles per Pod: ${JSON.stringify([...counts])}`);
          return holder;
        },
        { timeout: timeoutMs, interval: 1000, message: 'only the leader reconciles' },
      );
    },
    async killLeader(kill) {
      const previous = await leader();
      if (!previous) throw new Error('nobody holds the Lease');
      const lastRenewal = previous.renewTime ?? new Date();
      const killedAt = Date.now();
      await kill(previous.pod);
      const next = await nextLeader(previous);
      return {
        previous,
        next,
        leaseHandoverMs: (next.acquireTime ?? new Date()).getTime() - lastRenewal.getTime(),
        observedMs: Date.now() - killedAt,
      };
    },
    async uninstall(uninstallOptions = {}) {
      for (const name of uninstallOptions.namespacesFirst ?? []) {
        await kubectl(
          kubeconfig,
          ['delete', 'namespace', name, '--ignore-not-found', '--wait', '--timeout=120s'],
          150_000,
        );
      }
      await remove();
    },
  };
}

/** The objects `kubectl kustomize` renders from a kustomization folder (no cluster needed). */
export async function renderKustomization(dir: string): Promise<RenderedObject[]> {
  const out = await run(kubernetesBinary('kubectl'), ['kustomize', dir]);
  return parseAllDocuments(out)
    .map((d) => d.toJS() as RenderedObject | null)
    .filter((o): o is RenderedObject => o !== null);
}

/** An object as a kustomization renders it. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

interface ContainerSpec {
  name: string;
  args?: string[];
  livenessProbe?: { httpGet?: { path?: string } };
  readinessProbe?: { httpGet?: { path?: string } };
  resources?: { requests?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
}

type ManagerDeployment = RenderedObject & {
  spec?: {
    template?: {
      spec?: {
        serviceAccountName?: string;
        securityContext?: { runAsNonRoot?: boolean };
        containers?: ContainerSpec[];
      };
    };
  };
};

/**
 * What keeps a manager Deployment from being deployable as DESIGN asks (an
 * empty list when nothing): its namespace created by the same manifests,
 * non-root, no privilege escalation, a read-only root file system, every
 * capability dropped, requests for CPU and memory, liveness on /healthz and
 * readiness on /readyz, leader election on, and a ServiceAccount the
 * manifests create.
 */
export function managerProblems(objects: readonly RenderedObject[], deployment: string): string[] {
  const d: ManagerDeployment | undefined = objects.find(
    (o) => o.kind === 'Deployment' && o.metadata.name === deployment,
  );
  if (!d) return [`no Deployment ${deployment}`];
  const problems: string[] = [];
  const pod = d.spec?.template?.spec;
  const ns = d.metadata.namespace;
  if (!objects.some((o) => o.kind === 'Namespace' && o.metadata.name === ns))
    problems.push(`namespace ${ns ?? '(none)'} is not created`);
  const account = pod?.serviceAccountName;
  if (
    !objects.some(
      (o) => o.kind === 'ServiceAccount' && o.metadata.name === account && o.metadata.namespace === ns,
    )
  )
    problems.push(`ServiceAccount ${account ?? '(none)'} is not created in ${ns ?? '(none)'}`);
  for (const c of pod?.containers ?? []) {
    const sc = c.securityContext ?? {};
    if (!(sc.runAsNonRoot ?? pod?.securityContext?.runAsNonRoot))
      problems.push(`${c.name}: runAsNonRoot not set`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation not false`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${c.name}: root file system not read-only`);
    if (!sc.capabilities?.drop?.includes('ALL')) problems.push(`${c.name}: capabilities not dropped`);
    for (const r of ['cpu', 'memory'])
      if (!c.resources?.requests?.[r]) problems.push(`${c.name}: no ${r} request`);
    if (c.livenessProbe?.httpGet?.path !== '/healthz')
      problems.push(`${c.name}: liveness probe not on /healthz`);
    if (c.readinessProbe?.httpGet?.path !== '/readyz')
      problems.push(`${c.name}: readiness probe not on /readyz`);
    if (!c.args?.includes('--leader-elect')) problems.push(`${c.name}: leader election off`);
  }
  if ((pod?.containers ?? []).length === 0) problems.push('no containers');
  return problems;
}

/** Rules of every ClusterRole and Role that grant a wildcard API group, resource or verb. */
export function wildcardRules(objects: readonly RenderedObject[]): string[] {
  type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[] };
  return objects
    .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
    .flatMap((o) => ((o.rules as Rule[] | undefined) ?? []).map((r) => ({ role: o.metadata.name, r })))
    .filter(({ r }) => [...(r.apiGroups ?? []), ...(r.resources ?? []), ...(r.verbs ?? [])].includes('*'))
    .map(({ role, r }) => `${role}: wildcard in ${JSON.stringify(r)}`);
}

/**
 * What keeps an operator's `config/` from installing as users install it
 * (an empty list when nothing), checked offline on what
 * `kubectl kustomize <configDir>/default` renders: every CRD file of
 * `<configDir>/crd` is installed, the manager Deployment passes
 * {@link managerProblems}, and RBAC has rules, none with a wildcard.
 *
 * @example
 * expect(await configDefaultProblems(join(root, 'config'), 'etcd-operator')).toEqual([]);
 */
export async function configDefaultProblems(configDir: string, deployment: string): Promise<string[]> {
  const objects = await renderKustomization(join(configDir, 'default'));
  const files = readdirSync(join(configDir, 'crd')).filter((f) => f !== 'kustomization.yaml');
  const installed = new Set(
    objects
      .filter((o) => o.kind === 'CustomResourceDefinition')
      .map((c) => `${(c.spec as { group: string }).group}_${c.metadata.name.split('.')[0]}.yaml`),
  );
  const roles = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
  return [
    ...files.filter((f) => !installed.has(f)).map((f) => `CRD ${f} of config/crd is not installed`),
    ...managerProblems(objects, deployment),
    ...(roles.length === 0 ? ['no ClusterRole or Role'] : []),
    ...wildcardRules(objects),
  ];
}

/** Why a container of `pod` cannot start for want of its image, if that is the case. */
export function imagePullFailure(pod: V1Pod): { image: string; message: string } | undefined {
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const waiting = c.state?.waiting;
    // ErrImagePull only once the registry said the image is not there; the
    // back-off is a pull that failed already.
    const permanent =
      waiting?.reason === 'ImagePullBackOff' ||
      waiting?.reason === 'InvalidImageName' ||
      (waiting?.reason === 'ErrImagePull' && /not found|manifest unknown/i.test(waiting.message ?? ''));
    if (permanent) return { image: c.image, message: `${waiting?.reason}: ${waiting?.message ?? ''}`.trim() };
  }
  return undefined;
}

/** Thrown by `waitReady` when an operator Pod's image cannot be pulled. */
export class ImagePullError extends Error {
  readonly reason = 'ImagePullFailed';
  constructor(
    readonly deployment: string,
    readonly failure: { readonly image: string; readonly message: string },
  ) {
    super(
      `${deployment}: image ${failure.image} cannot be pulled (${failure.message}); ` +
        'build it into the local registry with `switchboard image build`, or name an image the cluster can pull',
    );
    this.name = 'ImagePullError';
  }
}
