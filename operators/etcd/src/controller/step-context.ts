// What every step executor is given and how it ends: the pass's context
// (clients, the cluster's key, where Events go, when to look again), and
// the outcome a step that changed something returns once its Event is
// recorded. The executors themselves are in ./step-executors.ts, one per
// step kind.
import type { Client, ObjectKey, ReconcileOutcome } from '@switchboard/core';
import { Outcome, findStatusCondition } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import { ConditionType } from '../api/types.js';
import type { EtcdClientFactory } from '../etcd/etcd-client.js';
import type { MemberAddressing } from '../runbook/member-names.js';
import type { ClusterObservation } from '../runbook/observation.js';
import type { Step, StepKind, StepOf } from '../runbook/step.js';
import { describeStep } from '../runbook/step.js';
import type { ResyncIntervals } from './resync.js';
import { DEFAULT_RESYNC } from './resync.js';

/** Where membership-change events go (core's EventRecorder, or a test double). */
export interface EventSink {
  record(cluster: EtcdCluster, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

/** What executing a step needs. */
export interface StepContext {
  client: Client;
  /** The EtcdCluster of the pass (its request). */
  key: ObjectKey;
  etcd: EtcdClientFactory;
  events: EventSink;
  signal?: AbortSignal;
  /** How members are reached (default `pod-ip`). */
  addressing?: MemberAddressing;
  /** Image of a seed's S3 snapshot download (default the operator's, member-pod.ts). */
  toolboxImage?: string;
  /** When the pass's outcome asks to look again (default {@link DEFAULT_RESYNC}). */
  resync?: ResyncIntervals;
}

/**
 * Carries out one kind of step and says when to look again. A step that
 * stops early (etcd said "not yet") returns {@link lookAgainSoon} without
 * an Event; one carried out returns {@link carriedOut}.
 */
export type StepExecutor<K extends StepKind> = (
  ctx: StepContext,
  cluster: EtcdCluster,
  obs: ClusterObservation,
  step: StepOf<K>,
) => Promise<ReconcileOutcome>;

/** One executor per step kind in `K`: a kind without one does not compile. */
export type StepExecutors<K extends StepKind> = { readonly [P in K]: StepExecutor<P> };

/** The outcome of a step that changed something, or that etcd asked to try again shortly. */
export function lookAgainSoon(ctx: StepContext): ReconcileOutcome {
  return Outcome.requeueAfter((ctx.resync ?? DEFAULT_RESYNC).afterChangeMs);
}

/** The reason of the Degraded condition last written, while it is True (status is written before a step). */
export function degradedReason(obs: ClusterObservation): string | undefined {
  const degraded = findStatusCondition(obs.previousStatus.conditions, ConditionType.Degraded);
  return degraded?.status === 'True' ? degraded.reason : undefined;
}

/** Steps whose Event is a Warning: they replace a member, cut off data, or begin a recovery. */
function isWarning(obs: ClusterObservation, step: Step): boolean {
  return (
    (step.kind === 'RemoveMember' && step.reason === 'Replace') ||
    step.kind === 'QuarantineVolume' ||
    step.kind === 'StartRecovery' ||
    step.kind === 'StartBackupRecovery' ||
    (step.kind === 'CompactForSpace' && obs.previousStatus.space?.recovery === undefined)
  );
}

/** Records the Event of a step carried out, and looks again soon. */
export async function carriedOut(
  ctx: StepContext,
  cluster: EtcdCluster,
  obs: ClusterObservation,
  step: Step,
): Promise<ReconcileOutcome> {
  await ctx.events.record(
    cluster,
    isWarning(obs, step) ? 'Warning' : 'Normal',
    step.kind,
    describeStep(step),
  );
  return lookAgainSoon(ctx);
}
