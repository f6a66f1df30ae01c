// One reconcile pass of one EtcdCluster:
//
//   1. read the EtcdCluster; gone or being deleted -> nothing to do (owner
//      references let the garbage collector remove the children: the PVCs
//      only under whenDeleted Delete, ../runbook/retention.ts)
//   2. TLS: create or renew generated certificate Secrets (not while paused),
//      check the mounted ones, read the operator's client certificate
//      (ensure-tls.ts); a missing or broken Secret stops the pass here
//   3. apply the Services, and put the PVCs' owner references on or off as
//      whenDeleted says (not while paused)
//   4. observe Kubernetes and etcd afresh          (observe-cluster.ts), and
//      apply the PDB from the live voters (../runbook/disruption-budget.ts;
//      not while paused)
//   5. decide exactly one step                     (../runbook/decide.ts)
//   6. write status, with the step as intent, before acting; a destructive
//      step's only if the EtcdCluster is as read (resourceVersion), else
//      requeue without acting
//   7. execute the step                            (execute-step.ts, by
//      its kind's executor in step-executors.ts)
//   8. say when to look again (the step's executor does: soon after a
//      change, later when converged; ./resync.ts)
//
// The API server refusing an object rendered from the spec (3 or 7) ends the
// pass as Degraded with its message and a Warning Event (api-refusal.ts),
// kept until a pass gets through.
import type { Client, ObjectKey, ReconcileOutcome, ReconcileRequest } from '@switchboard/core';
import { ConflictError, Outcome, isNotFound, setStatusCondition } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import { ConditionType } from '../api/types.js';
import { EtcdClusterResource } from '../api/crd.js';
import type { EtcdClientFactory, EtcdTLSMaterial } from '../etcd/etcd-client.js';
import type { PersistentVolumeClaim, PodDisruptionBudget, Service } from '../kube/kube-types.js';
import { PdbType, PvcType, ServiceType } from '../kube/kube-types.js';
import { clusterSelectorString, FIELD_MANAGER } from '../kube/labels.js';
import { pvcOwnershipPatch } from '../kube/owner.js';
import { clientService, peerService, quorumBudget } from '../kube/services.js';
import type { ServiceMonitorSupport } from '../kube/service-monitor.js';
import { reconcileServiceMonitor } from '../kube/service-monitor.js';
import type { ClusterMetricsSink } from '../metrics/operator-metrics.js';
import { decide } from '../runbook/decide.js';
import { minAvailableMembers } from '../runbook/disruption-budget.js';
import { randomMemberName } from '../runbook/member-names.js';
import { RECOVER_ANNOTATION, recoveryStatus, staleRecoverAnnotation } from '../runbook/recover.js';
import { spaceStatus } from '../runbook/space.js';
import type { MemberAddressing } from '../runbook/member-names.js';
import type { Step } from '../runbook/step.js';
import { isDestructive } from '../runbook/step.js';
import { computeStatus } from '../runbook/status.js';
import { clearRefusal, isApiRefusal, keepRefusal, refusalOnRecord, reportApiRefusal } from './api-refusal.js';
import type { EventSink } from './step-context.js';
import { executeStep } from './execute-step.js';
import { removeRecoverAnnotation } from './recover-annotation.js';
import { prepareClusterTLS, TLSSecretError } from './ensure-tls.js';
import { getIfPresent } from './get-if-present.js';
import { observeCluster } from './observe-cluster.js';
import type { ResyncIntervals } from './resync.js';
import { DEFAULT_RESYNC } from './resync.js';

/** What {@link reconcileEtcdCluster} needs. */
export interface EtcdReconcilerDeps {
  client: Client;
  etcd: EtcdClientFactory;
  events: EventSink;
  resync?: ResyncIntervals;
  /** Name generator for new members (default random suffixes). */
  newMemberName?: (cluster: string) => string;
  /** Called with every decided step (logging, tests). */
  onStep?: (cluster: ObjectKey, step: Step) => void;
  /** How members are reached: by Pod IP (default) or by DNS name. */
  addressing?: MemberAddressing;
  /** Where the operator's cluster metrics go (none by default). */
  metrics?: ClusterMetricsSink;
  /** When set, a ServiceMonitor per cluster is kept while that kind is served (kube/service-monitor.ts). */
  serviceMonitors?: ServiceMonitorSupport;
  /** Image of a seed's S3 snapshot download (default the operator's, kube/member-pod.ts). */
  toolboxImage?: string;
  /** When this operator started reconciling; disaster recovery's wait bound counts no time before it. */
  watchingSince?: Date;
}

/**
 * Runs one pass for the EtcdCluster `req` names; the outcome says when to
 * look again ({@link ResyncIntervals}), or not at all once it is gone.
 * Throws on API or etcd errors (the controller retries with backoff).
 */
export async function reconcileEtcdCluster(
  req: ReconcileRequest,
  deps: EtcdReconcilerDeps,
  signal?: AbortSignal,
): Promise<ReconcileOutcome> {
  const resync = deps.resync ?? DEFAULT_RESYNC;
  const call = signal ? { signal } : {};
  const clusters = EtcdClusterResource.client(deps.client);
  const cluster = await getIfPresent(clusters, req, signal);
  if (cluster === undefined || cluster.metadata.deletionTimestamp !== undefined) {
    deps.metrics?.deleted(req);
    return Outcome.done();
  }
  const waiting = Outcome.requeueAfter(resync.waitingMs);

  const addressing = deps.addressing ?? 'pod-ip';
  let tls: EtcdTLSMaterial | undefined;
  try {
    const prepared = await prepareClusterTLS(deps.client, cluster, addressing, {
      issue: !cluster.spec.paused,
      ...(signal ? { signal } : {}),
    });
    for (const note of prepared.notes) await deps.events.record(cluster, 'Normal', 'CertificateIssued', note);
    tls = prepared.material;
  } catch (err) {
    if (!(err instanceof TLSSecretError)) throw err;
    await reportTLSProblem(deps, req, cluster, err, signal);
    return waiting;
  }
  // Every client of this pass presents the operator's certificate (plain http: no material).
  const etcd: EtcdClientFactory = tls ? (endpoint) => deps.etcd(endpoint, tls) : deps.etcd;

  const refusals = { client: deps.client, events: deps.events, ...call };
  /** Runs a write of rendered objects; false when the API server refused it (reported). */
  const accepted = async (write: () => Promise<void>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (err) {
      if (!isApiRefusal(err)) throw err;
      await reportApiRefusal(refusals, req, cluster, cluster.status?.conditions, err);
      return false;
    }
  };
  if (!cluster.spec.paused) {
    if (!(await accepted(() => applyClusterObjects(deps.client, cluster, signal)))) return waiting;
    if (deps.serviceMonitors) await keepServiceMonitor(deps, deps.serviceMonitors, cluster, signal);
  }
  const obs = await observeCluster(deps.client, cluster, etcd, signal, addressing);
  if (!cluster.spec.paused) {
    const budget = quorumBudget(cluster, minAvailableMembers(obs));
    const apply = async () => {
      await deps.client
        .resource<PodDisruptionBudget>(PdbType)
        .apply(budget, { fieldManager: FIELD_MANAGER, force: true, ...call });
    };
    if (!(await accepted(apply))) return waiting;
  }
  const name = cluster.metadata.name ?? '';
  const now = new Date();
  const step = decide(obs, {
    newMemberName: () => (deps.newMemberName ?? randomMemberName)(name),
    now,
    ...(deps.watchingSince ? { watchingSince: deps.watchingSince } : {}),
  });
  deps.onStep?.(req, step);
  deps.metrics?.observed(req, obs, step);

  const computed = computeStatus(obs, step, now);
  const refused = refusalOnRecord(cluster.status?.conditions);
  const status = {
    ...computed,
    conditions: keepRefusal(cluster.status?.conditions, computed.conditions ?? []),
    ...recoveryStatus(obs, step, now),
    ...spaceStatus(obs, step, now),
  };
  // A destructive step's intent is recorded only on the EtcdCluster as read: if
  // another writer (another replica in an overlapping lease) moved it on, its
  // choice stands and this pass acts on nothing.
  const precondition = isDestructive(step)
    ? { metadata: { resourceVersion: cluster.metadata.resourceVersion } }
    : {};
  try {
    await clusters.status.patch(
      req,
      { type: 'merge', body: { ...precondition, status } },
      { fieldManager: FIELD_MANAGER, ...call },
    );
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    return Outcome.requeueAfter(resync.afterChangeMs);
  }
  if (!cluster.spec.paused && staleRecoverAnnotation(obs)) {
    await removeRecoverAnnotation({ client: deps.client, ...call }, req, cluster);
    await deps.events.record(
      cluster,
      'Normal',
      'RecoverAnnotationRemoved',
      `quorum is there and no recovery is in progress, so the annotation ${RECOVER_ANNOTATION} is removed: it asks to recover from the quorum loss at hand; set it again if quorum is lost`,
    );
  }

  let outcome: ReconcileOutcome;
  try {
    outcome = await executeStep(
      {
        client: deps.client,
        key: req,
        etcd,
        events: deps.events,
        addressing,
        resync,
        ...(deps.toolboxImage ? { toolboxImage: deps.toolboxImage } : {}),
        ...call,
      },
      cluster,
      obs,
      step,
    );
  } catch (err) {
    if (!isApiRefusal(err)) throw err;
    await reportApiRefusal(refusals, req, cluster, status.conditions, err);
    return waiting;
  }
  if (refused) await clearRefusal(refusals, req, computed.conditions ?? []);
  deps.metrics?.stepTaken(req, step);
  return outcome;
}

/** A TLS Secret problem: a Warning Event, and Progressing=False naming it (the rest of status is left as it was). */
async function reportTLSProblem(
  deps: EtcdReconcilerDeps,
  key: ObjectKey,
  cluster: EtcdCluster,
  err: TLSSecretError,
  signal?: AbortSignal,
): Promise<void> {
  await deps.events.record(cluster, 'Warning', err.reason, err.message);
  const conditions = setStatusCondition(
    [...(cluster.status?.conditions ?? [])],
    {
      type: ConditionType.Progressing,
      status: 'False',
      observedGeneration: cluster.metadata.generation ?? 0,
      reason: err.reason,
      message: err.message,
    },
    new Date(),
  );
  await EtcdClusterResource.client(deps.client).status.patch(
    key,
    { type: 'merge', body: { status: { conditions } } },
    { fieldManager: FIELD_MANAGER, ...(signal ? { signal } : {}) },
  );
}

async function applyClusterObjects(
  client: Client,
  cluster: EtcdCluster,
  signal?: AbortSignal,
): Promise<void> {
  const opts = { fieldManager: FIELD_MANAGER, force: true, ...(signal ? { signal } : {}) };
  const services = client.resource<Service>(ServiceType);
  await services.apply(peerService(cluster), opts);
  await services.apply(clientService(cluster), opts);
  await keepVolumeOwnership(client, cluster, signal);
}

/**
 * Puts the owner reference on the cluster's PVCs, or takes it off, as
 * whenDeleted says (../runbook/retention.ts); every pass, so a change of
 * policy and PVCs made by an older operator follow. A PVC changed since it
 * was listed (a conflict) is left for the next pass.
 */
async function keepVolumeOwnership(
  client: Client,
  cluster: EtcdCluster,
  signal?: AbortSignal,
): Promise<void> {
  if (cluster.spec.storage.type === 'Ephemeral') return;
  const call = signal ? { signal } : {};
  const pvcs = client.resource<PersistentVolumeClaim>(PvcType);
  const namespace = cluster.metadata.namespace ?? 'default';
  const list = await pvcs.listAll({
    namespace,
    labelSelector: clusterSelectorString(cluster.metadata.name ?? ''),
    ...call,
  });
  for (const pvc of list.items) {
    const body = pvcOwnershipPatch(pvc, cluster);
    if (body === undefined) continue;
    try {
      await pvcs.patch(
        { namespace, name: pvc.metadata.name ?? '' },
        { type: 'merge', body },
        { fieldManager: FIELD_MANAGER, ...call },
      );
    } catch (err) {
      if (!(err instanceof ConflictError) && !isNotFound(err)) throw err;
    }
  }
}

/** Monitoring never blocks the runbook: a failure is an Event (aggregated by the recorder), not a failed pass. */
async function keepServiceMonitor(
  deps: EtcdReconcilerDeps,
  support: ServiceMonitorSupport,
  cluster: EtcdCluster,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await reconcileServiceMonitor(deps.client, support, cluster, signal);
  } catch (err) {
    if (signal?.aborted) throw err;
    const message = err instanceof Error ? err.message : String(err);
    await deps.events.record(
      cluster,
      'Warning',
      'ServiceMonitorFailed',
      `ServiceMonitor not applied: ${message}`,
    );
  }
}
