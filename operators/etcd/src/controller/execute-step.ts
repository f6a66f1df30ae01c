// Carries out the one step the runbook chose: its executor, found by kind
// in ./step-executors.ts, does the work and says when to look again. Around
// it, the Events that belong to the pass rather than to one step (a
// recurring NOSPACE, answers from another etcd cluster), and the stop of a
// step that finds an object recreated since the observation.
import type { ReconcileOutcome } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import { describeForeignAnswers, FOREIGN_MEMBER_REASON } from '../runbook/cluster-identity.js';
import type { ClusterObservation } from '../runbook/observation.js';
import type { Step } from '../runbook/step.js';
import { describeStep } from '../runbook/step.js';
import { recordRecurringNoSpace } from './execute-space-step.js';
import { StaleObservationError } from './member-objects.js';
import type { StepContext } from './step-context.js';
import { degradedReason, lookAgainSoon } from './step-context.js';
import { executorOf } from './step-executors.js';

/** A Warning Event when Degraded turns to ForeignMember (status was written before this call). */
async function recordForeignAnswers(
  ctx: StepContext,
  cluster: EtcdCluster,
  obs: ClusterObservation,
): Promise<void> {
  const message = describeForeignAnswers(obs);
  if (message !== undefined && degradedReason(obs) !== FOREIGN_MEMBER_REASON)
    await ctx.events.record(cluster, 'Warning', FOREIGN_MEMBER_REASON, message);
}

/**
 * Executes one step and says when to look again: a mutating step soon
 * after (its Event recorded once it is carried out), a Wait later, a
 * converged cluster much later; Wait and Converged change nothing (a
 * degraded Wait records an Event). A step that finds a Pod or PVC recreated
 * since the observation stops there (an Event says so) and looks again soon.
 */
export async function executeStep(
  ctx: StepContext,
  cluster: EtcdCluster,
  obs: ClusterObservation,
  step: Step,
): Promise<ReconcileOutcome> {
  try {
    await recordRecurringNoSpace(ctx, cluster, obs, step);
    await recordForeignAnswers(ctx, cluster, obs);
    return await executorOf(step.kind)(ctx, cluster, obs, step);
  } catch (err) {
    if (!(err instanceof StaleObservationError)) throw err;
    await ctx.events.record(cluster, 'Normal', err.reason, `${describeStep(step)}: stopped: ${err.message}`);
    return lookAgainSoon(ctx);
  }
}
