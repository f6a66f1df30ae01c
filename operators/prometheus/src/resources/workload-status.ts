// Status of a Prometheus or Alertmanager, recomputed on every pass from its
// StatefulSet: replica counts plus the conditions `Available` (all, some or
// none of the replicas ready) and `Reconciled` (the last pass applied
// everything, or why not).
import type { MonitoringCondition, WorkloadStatus } from '../api/index.js';
import type { StatefulSet } from './kube-types.js';

/** The outcome of the pass that computes the status. */
export type ReconcileResult = { ok: true } | { ok: false; reason: string; message: string };

/** Status fields of a workload, conditions included. */
export interface ComputedWorkloadStatus extends WorkloadStatus {
  conditions: MonitoringCondition[];
}

function condition(
  previous: readonly MonitoringCondition[] | undefined,
  next: Omit<MonitoringCondition, 'lastTransitionTime'>,
  now: Date,
): MonitoringCondition {
  const before = previous?.find((c) => c.type === next.type);
  // lastTransitionTime moves only when the status flips (metav1.Condition).
  const time =
    before !== undefined && before.status === next.status && before.lastTransitionTime !== undefined
      ? before.lastTransitionTime
      : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { ...next, lastTransitionTime: time };
}

/**
 * The status to write.
 *
 * @param desired the spec's replica count.
 * @param sts the current StatefulSet, if it exists yet.
 */
export function workloadStatus(opts: {
  desired: number;
  generation: number | undefined;
  paused: boolean;
  sts: StatefulSet | undefined;
  result: ReconcileResult;
  previous: readonly MonitoringCondition[] | undefined;
  now: Date;
}): ComputedWorkloadStatus {
  const { desired, sts } = opts;
  const replicas = sts?.status?.replicas ?? 0;
  const available = sts?.status?.availableReplicas ?? sts?.status?.readyReplicas ?? 0;
  const updated = sts?.status?.updatedReplicas ?? 0;
  const base = { observedGeneration: opts.generation ?? 0 };
  const availability: Omit<MonitoringCondition, 'lastTransitionTime'> =
    desired > 0 && available >= desired
      ? { ...base, type: 'Available', status: 'True', reason: 'AllReplicasAvailable', message: '' }
      : available > 0
        ? {
            ...base,
            type: 'Available',
            status: 'Degraded',
            reason: 'SomeReplicasAvailable',
            message: `${available} of ${desired} replicas are available`,
          }
        : {
            ...base,
            type: 'Available',
            status: 'False',
            reason: desired === 0 ? 'NoReplicasRequested' : 'NoPodReady',
            message: `0 of ${desired} replicas are available`,
          };
  const reconciled: Omit<MonitoringCondition, 'lastTransitionTime'> = opts.result.ok
    ? { ...base, type: 'Reconciled', status: 'True', reason: 'ReconciliationSucceeded', message: '' }
    : {
        ...base,
        type: 'Reconciled',
        status: 'False',
        reason: opts.result.reason,
        message: opts.result.message,
      };
  return {
    paused: opts.paused,
    replicas,
    updatedReplicas: updated,
    availableReplicas: available,
    unavailableReplicas: Math.max(0, replicas - available),
    conditions: [
      condition(opts.previous, availability, opts.now),
      condition(opts.previous, reconciled, opts.now),
    ],
  };
}
