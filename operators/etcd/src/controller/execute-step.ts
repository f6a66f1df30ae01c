// Carries out the one step the runbook chose, against the API server and
// etcd. The order of calls inside a step is the crash-safety story: the
// irreversible etcd call comes first and every Kubernetes write after it is
// repeatable, so an operator killed between two calls leaves a state the
// next pass recognises (a member without a Pod is started; a Pod or PVC
// without a member is an orphan and is deleted, or its PVC retained).
// Writes to a member's own Pod and PVC are in ./member-objects.ts.
import type { Client, ObjectKey, ReconcileOutcome } from '@switchboard/core';
import { Outcome, findStatusCondition } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import { ConditionType } from '../api/types.js';
import { EtcdClusterResource } from '../api/crd.js';
import type { EtcdClientFactory, EtcdEndpointClient, EtcdErrorReason } from '../etcd/etcd-client.js';
import { EtcdRequestError } from '../etcd/etcd-client.js';
import { peerScheme } from '../tls/cluster-tls.js';
import type { Pod } from '../kube/kube-types.js';
import { PodType } from '../kube/kube-types.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import type { MemberBootstrap } from '../kube/member-pod.js';
import { etcdImage } from '../kube/member-pod.js';
import { peerURL } from '../runbook/member-names.js';
import type { MemberAddressing } from '../runbook/member-names.js';
import type { ClusterObservation } from '../runbook/observation.js';
import { voters } from '../runbook/observation.js';
import { RECOVER_ANNOTATION } from '../runbook/recover.js';
import { describeForeignAnswers, FOREIGN_MEMBER_REASON } from '../runbook/cluster-identity.js';
import type { Step } from '../runbook/step.js';
import { describeStep } from '../runbook/step.js';
import { executeSpaceStep, recordRecurringNoSpace } from './execute-space-step.js';
import { memberEndpoint } from './member-endpoint.js';
import { quarantineAll, quarantineReplacedPvc } from './quarantine-pvc.js';
import { deleteMemberObjects, retainVolume, StaleObservationError, startMember } from './member-objects.js';
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

/** The outcome of a step that changed something, or that etcd asked to try again shortly. */
export function lookAgainSoon(ctx: StepContext): ReconcileOutcome {
  return Outcome.requeueAfter((ctx.resync ?? DEFAULT_RESYNC).afterChangeMs);
}

/** A client of a healthy voter other than `except`, the leader preferred (membership calls go there anyway). */
function voterClient(obs: ClusterObservation, ctx: StepContext, except?: string): EtcdEndpointClient {
  const candidates = voters(obs.membership ?? { clusterId: '', members: [], alarms: [] })
    .filter((m) => m.healthy && m.id !== except)
    .sort((a, b) => Number(b.id === obs.membership?.leaderId) - Number(a.id === obs.membership?.leaderId));
  for (const m of candidates) {
    const endpoint = memberEndpoint(obs, ctx.addressing, m.memberName);
    if (endpoint !== undefined) return ctx.etcd(endpoint);
  }
  throw new EtcdRequestError(
    'Unreachable',
    '(none)',
    'choose endpoint',
    'no healthy voter with a reachable Pod',
  );
}

function bootstrapFor(obs: ClusterObservation, member: string, state: 'new' | 'existing'): MemberBootstrap {
  const ns = obs.namespace;
  const self = `${member}=${peerURL(obs.name, ns, member, peerScheme(obs.spec))}`;
  const others = (obs.membership?.members ?? [])
    .filter((m) => m.memberName !== member)
    .map((m) => `${m.memberName}=${m.peerURLs[0] ?? ''}`);
  return { state, initialCluster: [...others, self].sort() };
}

/** Removes the `etcd.switchboard.dev/recover` annotation from `cluster` (at `key`), if set. */
export async function removeRecoverAnnotation(
  ctx: { client: Client; signal?: AbortSignal },
  key: ObjectKey,
  cluster: EtcdCluster,
): Promise<void> {
  if (cluster.metadata.annotations?.[RECOVER_ANNOTATION] === undefined) return;
  await EtcdClusterResource.client(ctx.client).patch(
    key,
    { type: 'merge', body: { metadata: { annotations: { [RECOVER_ANNOTATION]: null } } } },
    { fieldManager: FIELD_MANAGER, ...(ctx.signal ? { signal: ctx.signal } : {}) },
  );
}

function degradedReason(obs: ClusterObservation): string | undefined {
  const degraded = findStatusCondition(obs.previousStatus.conditions, ConditionType.Degraded);
  return degraded?.status === 'True' ? degraded.reason : undefined;
}

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

/** The refusals by etcd a step takes in its stride instead of as errors. */
interface Refusals {
  /** The call's effect is there already (a re-run): the step goes on. */
  alreadyDone?: readonly EtcdErrorReason[];
  /** Not now, but soon (e.g. a learner not in sync yet): the step stops and the pass looks again soon. */
  notYet?: readonly EtcdErrorReason[];
}

/**
 * Runs one etcd call of a step. Returns the outcome the step stops with
 * when etcd answered one of `refusals.notYet`, or undefined for the step to
 * go on; any refusal not named is thrown (the controller backs off).
 */
async function etcdCall(
  ctx: StepContext,
  refusals: Refusals,
  call: () => Promise<unknown>,
): Promise<ReconcileOutcome | undefined> {
  try {
    await call();
    return undefined;
  } catch (err) {
    if (!(err instanceof EtcdRequestError)) throw err;
    if (refusals.alreadyDone?.includes(err.reason)) return undefined;
    if (refusals.notYet?.includes(err.reason)) return lookAgainSoon(ctx);
    throw err;
  }
}

/**
 * Recreates a member from the current template (../runbook/rollout.ts): its
 * Pod deleted, for restart-member.ts to start it again on its PVC; or, on
 * ephemeral storage, the member removed from etcd first (deleting the Pod
 * loses its data) and its Pod then, for scale-up.ts to add a fresh one.
 */
async function recreateMember(
  ctx: StepContext,
  obs: ClusterObservation,
  step: { member: string; memberId: string; how: 'RecreatePod' | 'ReplaceMember' },
): Promise<ReconcileOutcome | undefined> {
  if (step.how === 'ReplaceMember') {
    const call = ctx.signal ? { signal: ctx.signal } : {};
    const stopped = await etcdCall(ctx, { notYet: ['Unhealthy'], alreadyDone: ['MemberNotFound'] }, () =>
      voterClient(obs, ctx, step.memberId).memberRemove(step.memberId, call),
    );
    if (stopped) return stopped;
  }
  await deleteMemberObjects(ctx, obs, step.member, { pod: true, pvc: false });
  return undefined;
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
    return await carryOut(ctx, cluster, obs, step);
  } catch (err) {
    if (!(err instanceof StaleObservationError)) throw err;
    await ctx.events.record(cluster, 'Normal', err.reason, `${describeStep(step)}: stopped: ${err.message}`);
    return lookAgainSoon(ctx);
  }
}

async function carryOut(
  ctx: StepContext,
  cluster: EtcdCluster,
  obs: ClusterObservation,
  step: Step,
): Promise<ReconcileOutcome> {
  const call = ctx.signal ? { signal: ctx.signal } : {};
  const resync = ctx.resync ?? DEFAULT_RESYNC;
  await recordRecurringNoSpace(ctx, cluster, obs, step);
  await recordForeignAnswers(ctx, cluster, obs);
  switch (step.kind) {
    case 'Wait':
      // Announced once, when Degraded turns to this reason (status was written before this call).
      if (step.degraded && degradedReason(obs) !== step.reason)
        await ctx.events.record(cluster, 'Warning', step.reason, step.message);
      return Outcome.requeueAfter(resync.waitingMs);
    case 'Converged':
      return Outcome.requeueAfter(resync.convergedMs);
    case 'CreateSeed': {
      const boot = bootstrapFor(obs, step.member, 'new');
      await startMember(ctx, cluster, step.member, step.restore ? { ...boot, restore: step.restore } : boot);
      break;
    }
    case 'StartMember': {
      // A seed that never answered is started as `new` again (restored again
      // if it was, unless its data is there); everything else joins.
      const state = obs.previousStatus.clusterID || obs.membership ? 'existing' : 'new';
      const boot = bootstrapFor(obs, step.member, state);
      const source = state === 'new' ? obs.restoreSource : undefined;
      const restore = source?.ready ? (({ ready: _ready, ...from }) => from)(source) : undefined;
      await startMember(ctx, cluster, step.member, restore ? { ...boot, restore } : boot);
      break;
    }
    case 'AddLearner': {
      const url = peerURL(obs.name, obs.namespace, step.member, peerScheme(obs.spec));
      const client = voterClient(obs, ctx);
      // The list was read this pass; re-check right before the non-idempotent add.
      const fresh = await client.memberList({ linearizable: true, ...call });
      if (fresh.clusterId !== obs.membership?.clusterId)
        throw new Error(
          `${client.endpoint} answered with cluster ID ${fresh.clusterId}, not ${obs.membership?.clusterId ?? '(none)'}: no member is added`,
        );
      if (!fresh.members.some((m) => m.peerURLs.includes(url))) {
        // etcd's strict reconfiguration check: it adds a member only once
        // every member has been connected for a few seconds (just after a
        // member started or was promoted, it is not). Not a failure.
        const stopped = await etcdCall(ctx, { notYet: ['Unhealthy'] }, () =>
          client.memberAdd(url, { learner: true, ...call }),
        );
        if (stopped) return stopped;
      }
      await startMember(ctx, cluster, step.member, bootstrapFor(obs, step.member, 'existing'));
      break;
    }
    case 'PromoteLearner': {
      // A learner is promoted only once its log caught up with the leader's.
      const stopped = await etcdCall(ctx, { notYet: ['LearnerNotInSync'] }, () =>
        voterClient(obs, ctx).memberPromote(step.memberId, call),
      );
      if (stopped) return stopped;
      break;
    }
    case 'MoveLeader': {
      const from = obs.membership?.members.find((m) => m.id === step.fromId);
      const endpoint = from ? memberEndpoint(obs, ctx.addressing, from.memberName) : undefined;
      if (endpoint === undefined) return lookAgainSoon(ctx);
      await ctx.etcd(endpoint).moveLeader(step.toId, call);
      break;
    }
    case 'RemoveMember': {
      // Refused like an add by the strict reconfiguration check; gone already is done (a re-run).
      const stopped = await etcdCall(ctx, { notYet: ['Unhealthy'], alreadyDone: ['MemberNotFound'] }, () =>
        voterClient(obs, ctx, step.memberId).memberRemove(step.memberId, call),
      );
      if (stopped) return stopped;
      await deleteMemberObjects(ctx, obs, step.member, { pod: true, pvc: false });
      if (step.volume === 'Retain') await retainVolume(ctx, obs, step.member, 'ScaledDown');
      else if (step.volume === 'Quarantine') await quarantineReplacedPvc(ctx, cluster, obs, step);
      else await deleteMemberObjects(ctx, obs, step.member, { pod: false, pvc: true });
      break;
    }
    case 'DeleteOrphan':
      await deleteMemberObjects(ctx, obs, step.member, step);
      break;
    case 'RetainVolume':
      await retainVolume(ctx, obs, step.member, step.why);
      break;
    case 'StartRecovery': {
      // The survivor is on record in status (written before this step); the others' data is set
      // aside first, then their Pods go, and they rejoin empty under new names.
      await quarantineAll(ctx, cluster, obs, step);
      for (const member of step.deletePods)
        await deleteMemberObjects(ctx, obs, member, { pod: true, pvc: false });
      const survivor = obs.pods.get(step.survivor);
      if (survivor !== undefined && !survivor.forceNewCluster && !survivor.terminating)
        await deleteMemberObjects(ctx, obs, step.survivor, { pod: true, pvc: false });
      break;
    }
    case 'StartBackupRecovery':
      // The snapshot and the seed are on record in status (written before this step).
      await quarantineAll(ctx, cluster, obs, step);
      for (const member of step.deletePods)
        await deleteMemberObjects(ctx, obs, member, { pod: true, pvc: false });
      break;
    case 'ForceNewCluster':
      await startMember(ctx, cluster, step.member, {
        ...bootstrapFor(obs, step.member, 'existing'),
        forceNewCluster: true,
      });
      break;
    case 'FinishRecovery':
      if (step.restart) await deleteMemberObjects(ctx, obs, step.member, { pod: true, pvc: false });
      else await removeRecoverAnnotation(ctx, ctx.key, cluster);
      break;
    case 'CompactForSpace':
    case 'DefragmentMember':
    case 'DisarmNoSpace':
    case 'FinishSpaceRecovery':
      await executeSpaceStep(ctx, obs, step);
      break;
    case 'RollMember': {
      const stopped = await recreateMember(ctx, obs, step);
      if (stopped) return stopped;
      break;
    }
    case 'UpgradeMember':
      if (step.how !== 'PatchImage') {
        const stopped = await recreateMember(ctx, obs, { ...step, how: step.how });
        if (stopped) return stopped;
        break;
      }
      // Changing a Pod's image restarts its container in place: same Pod, same volume, same member.
      await ctx.client.resource<Pod>(PodType).patch(
        { namespace: obs.namespace, name: step.member },
        {
          type: 'json',
          ops: [{ op: 'replace', path: '/spec/containers/0/image', value: etcdImage(cluster, step.to) }],
        },
        { fieldManager: FIELD_MANAGER, ...call },
      );
      break;
  }
  const warning =
    (step.kind === 'RemoveMember' && step.reason === 'Replace') ||
    step.kind === 'StartRecovery' ||
    step.kind === 'StartBackupRecovery' ||
    (step.kind === 'CompactForSpace' && obs.previousStatus.space?.recovery === undefined);
  await ctx.events.record(cluster, warning ? 'Warning' : 'Normal', step.kind, describeStep(step));
  return lookAgainSoon(ctx);
}
