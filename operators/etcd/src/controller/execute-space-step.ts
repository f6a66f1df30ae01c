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
import type { StepContext } from './execute-step.js';
import { memberEndpoint } from './member-endpoint.js';

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

/** Executes one space-recovery step (the caller records the step's Event). */
export async function executeSpaceStep(
  ctx: StepContext,
  obs: ClusterObservation,
  step: SpaceStep,
): Promise<void> {
  const call = ctx.signal ? { signal: ctx.signal } : {};
  switch (step.kind) {
    case 'CompactForSpace':
      try {
        await anyMemberClient(obs, ctx).compact(BigInt(step.revision), call);
      } catch (err) {
        // Compacted at or past this revision already (a repeated pass, or auto-compaction).
        if (!(err instanceof EtcdRequestError && err.reason === 'Compacted')) throw err;
      }
      break;
    case 'DefragmentMember': {
      const member = obs.membership?.members.find((m) => m.id === step.memberId);
      if (member === undefined) return; // gone since the observation; the next pass picks another
      await clientOf(obs, ctx, member).defragment(call);
      break;
    }
    case 'DisarmNoSpace': {
      const client = anyMemberClient(obs, ctx);
      for (const id of step.memberIds) await client.disarmAlarm(id, NOSPACE, call);
      break;
    }
    case 'FinishSpaceRecovery':
      return; // status.ts and the Event carry it
  }
  await recordDone(ctx, obs, step);
}

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
