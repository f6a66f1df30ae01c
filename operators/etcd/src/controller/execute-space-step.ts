// Carries out the space-recovery steps (../runbook/space.ts). Each stage's
// intent is in status before the call (reconcile-cluster.ts writes it); once
// the call returned, the stage is recorded as done here, so a pass cut short
// between the two repeats the call, which is harmless for all three.
import { findStatusCondition } from '@switchboard/core';

import { EtcdClusterResource } from '../api/crd.js';
import type { EtcdCluster } from '../api/types.js';
import { ConditionType } from '../api/types.js';
import type { EtcdEndpointClient } from '../etcd/etcd-client.js';
import { EtcdRequestError } from '../etcd/etcd-client.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import type { ClusterObservation, ObservedMember } from '../runbook/observation.js';
import type { SpaceStep } from '../runbook/space.js';
import { NOSPACE, NOSPACE_RECURRING, afterSpaceStep } from '../runbook/space.js';
import type { Step } from '../runbook/step.js';
import { memberEndpoint } from './member-endpoint.js';
import type { StepContext, StepExecutor, StepExecutors } from './step-context.js';
import { carriedOut } from './step-context.js';

function clientOf(obs: ClusterObservation, ctx: StepContext, member: ObservedMember): EtcdEndpointClient {
  const endpoint = memberEndpoint(obs, ctx.addressing, member.memberName);
  if (endpoint === undefined || member.status === undefined)
    throw new EtcdRequestError(
      'Unreachable',
      '(none)',
      'choose endpoint',
      `member ${member.memberName} does not answer`,
    );
  return ctx.etcd(endpoint);
}

/** A member that answers, the leader preferred (compaction and alarms go through raft anyway). */
function anyMemberClient(obs: ClusterObservation, ctx: StepContext): EtcdEndpointClient {
  const membership = obs.membership;
  const answering = (membership?.members ?? [])
    .filter((m) => m.status !== undefined && obs.pods.get(m.memberName)?.podIP !== undefined)
    .sort((a, b) => Number(b.id === membership?.leaderId) - Number(a.id === membership?.leaderId));
  const first = answering[0];
  if (first === undefined)
    throw new EtcdRequestError('Unreachable', '(none)', 'choose endpoint', 'no member answers its status');
  return clientOf(obs, ctx, first);
}

async function recordDone(ctx: StepContext, obs: ClusterObservation, step: SpaceStep): Promise<void> {
  const done = afterSpaceStep(obs.previousStatus.space, step);
  if (done === undefined) return;
  const updated = await EtcdClusterResource.client(ctx.client).status.patch(
    ctx.key,
    { type: 'merge', body: { status: { space: { recovery: done } } } },
    { fieldManager: FIELD_MANAGER, ...(ctx.signal ? { signal: ctx.signal } : {}) },
  );
  // An EtcdCluster CRD older than the operator prunes the record, and every
  // pass would start the recovery over: say so instead of looping quietly.
  if (updated.status?.space?.recovery === undefined)
    throw new Error(
      'status.space was dropped by the API server: the installed EtcdCluster CRD predates this operator (apply config/crd)',
    );
}

function callOptions(ctx: StepContext): { signal?: AbortSignal } {
  return ctx.signal ? { signal: ctx.signal } : {};
}

const compactForSpace: StepExecutor<'CompactForSpace'> = async (ctx, cluster, obs, step) => {
  try {
    await anyMemberClient(obs, ctx).compact(BigInt(step.revision), callOptions(ctx));
  } catch (err) {
    // Compacted at or past this revision already (a repeated pass, or auto-compaction).
    if (!(err instanceof EtcdRequestError && err.reason === 'Compacted')) throw err;
  }
  await recordDone(ctx, obs, step);
  return carriedOut(ctx, cluster, obs, step);
};

const defragmentMember: StepExecutor<'DefragmentMember'> = async (ctx, cluster, obs, step) => {
  const member = obs.membership?.members.find((m) => m.id === step.memberId);
  // Gone since the observation: nothing is recorded as done; the next pass picks another.
  if (member !== undefined) {
    await clientOf(obs, ctx, member).defragment(callOptions(ctx));
    await recordDone(ctx, obs, step);
  }
  return carriedOut(ctx, cluster, obs, step);
};

const disarmNoSpace: StepExecutor<'DisarmNoSpace'> = async (ctx, cluster, obs, step) => {
  const client = anyMemberClient(obs, ctx);
  for (const id of step.memberIds) await client.disarmAlarm(id, NOSPACE, callOptions(ctx));
  await recordDone(ctx, obs, step);
  return carriedOut(ctx, cluster, obs, step);
};

/** status.ts and the Event carry it. */
const finishSpaceRecovery: StepExecutor<'FinishSpaceRecovery'> = (ctx, cluster, obs, step) =>
  carriedOut(ctx, cluster, obs, step);

/** The executors of the space-recovery steps (part of ./step-executors.ts's table). */
export const SPACE_STEP_EXECUTORS: StepExecutors<SpaceStep['kind']> = {
  CompactForSpace: compactForSpace,
  DefragmentMember: defragmentMember,
  DisarmNoSpace: disarmNoSpace,
  FinishSpaceRecovery: finishSpaceRecovery,
};

/**
 * A Warning Event when a NOSPACE that came back too soon starts being waited
 * out (once: when the Degraded condition last written had another reason).
 */
export async function recordRecurringNoSpace(
  ctx: StepContext,
  cluster: EtcdCluster,
  obs: ClusterObservation,
  step: Step,
): Promise<void> {
  if (step.kind !== 'Wait' || step.reason !== NOSPACE_RECURRING) return;
  const degraded = findStatusCondition(obs.previousStatus.conditions, ConditionType.Degraded);
  if (degraded?.status === 'True' && degraded.reason === NOSPACE_RECURRING) return;
  await ctx.events.record(cluster, 'Warning', NOSPACE_RECURRING, step.message);
}
