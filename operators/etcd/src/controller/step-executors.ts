// One executor per step kind, against the API server and etcd; the table
// at the end is keyed by kind and typed so that a kind added to Step
// (../runbook/step.ts, where its plan's shape and its description live)
// does not compile until it has an executor here.
//
// The order of calls inside a step is the crash-safety story: the
// irreversible etcd call comes first and every Kubernetes write after it is
// repeatable, so an operator killed between two calls leaves a state the
// next pass recognises (a member without a Pod is started; a Pod or PVC
// without a member is an orphan and is deleted, or its PVC retained).
// Writes to a member's own Pod and PVC are in ./member-objects.ts, the
// space-recovery steps in ./execute-space-step.ts.
import type { ReconcileOutcome } from '@switchboard/core';
import { Outcome } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import type { EtcdEndpointClient, EtcdErrorReason } from '../etcd/etcd-client.js';
import { EtcdRequestError } from '../etcd/etcd-client.js';
import type { Pod } from '../kube/kube-types.js';
import { PodType } from '../kube/kube-types.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import type { MemberBootstrap } from '../kube/member-pod.js';
import { etcdImage } from '../kube/member-pod.js';
import { peerURL } from '../runbook/member-names.js';
import type { ClusterObservation } from '../runbook/observation.js';
import { voters } from '../runbook/observation.js';
import type { StepKind, StepOf } from '../runbook/step.js';
import { peerScheme } from '../tls/cluster-tls.js';
import { SPACE_STEP_EXECUTORS } from './execute-space-step.js';
import { memberEndpoint } from './member-endpoint.js';
import { deleteMemberObjects, markRemovalFate, retainVolume, startMember } from './member-objects.js';
import { quarantineAll, quarantineReplacedPvc } from './quarantine-pvc.js';
import { removeRecoverAnnotation } from './recover-annotation.js';
import { DEFAULT_RESYNC } from './resync.js';
import type { StepContext, StepExecutor, StepExecutors } from './step-context.js';
import { carriedOut, degradedReason, lookAgainSoon } from './step-context.js';

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

function callOptions(ctx: StepContext): { signal?: AbortSignal } {
  return ctx.signal ? { signal: ctx.signal } : {};
}

/**
 * Recreates a member from the current template (../runbook/rollout.ts): its
 * Pod deleted, for restart-member.ts to start it again on its PVC; or, on
 * ephemeral storage, the member removed from etcd first (deleting the Pod
 * loses its data) and its Pod then, for scale-up.ts to add a fresh one.
 */
async function recreateMember(
  ctx: StepContext,
  cluster: EtcdCluster,
  obs: ClusterObservation,
  step: StepOf<'RollMember' | 'UpgradeMember'>,
  how: 'RecreatePod' | 'ReplaceMember',
): Promise<ReconcileOutcome> {
  if (how === 'ReplaceMember') {
    const stopped = await etcdCall(ctx, { notYet: ['Unhealthy'], alreadyDone: ['MemberNotFound'] }, () =>
      voterClient(obs, ctx, step.memberId).memberRemove(step.memberId, callOptions(ctx)),
    );
    if (stopped) return stopped;
  }
  await deleteMemberObjects(ctx, obs, step.member, { pod: true, pvc: false });
  return carriedOut(ctx, cluster, obs, step);
}

const wait: StepExecutor<'Wait'> = async (ctx, cluster, obs, step) => {
  // Announced once, when Degraded turns to this reason (status was written before this call).
  if (step.degraded && degradedReason(obs) !== step.reason)
    await ctx.events.record(cluster, 'Warning', step.reason, step.message);
  return Outcome.requeueAfter((ctx.resync ?? DEFAULT_RESYNC).waitingMs);
};

const converged: StepExecutor<'Converged'> = (ctx) =>
  Promise.resolve(Outcome.requeueAfter((ctx.resync ?? DEFAULT_RESYNC).convergedMs));

const createSeed: StepExecutor<'CreateSeed'> = async (ctx, cluster, obs, step) => {
  const boot = bootstrapFor(obs, step.member, 'new');
  await startMember(ctx, cluster, step.member, step.restore ? { ...boot, restore: step.restore } : boot);
  return carriedOut(ctx, cluster, obs, step);
};

const startExistingMember: StepExecutor<'StartMember'> = async (ctx, cluster, obs, step) => {
  // A seed that never answered is started as `new` again (restored again
  // if it was, unless its data is there); everything else joins.
  const state = obs.previousStatus.clusterID || obs.membership ? 'existing' : 'new';
  const boot = bootstrapFor(obs, step.member, state);
  const source = state === 'new' ? obs.restoreSource : undefined;
  const restore = source?.ready ? (({ ready: _ready, ...from }) => from)(source) : undefined;
  await startMember(ctx, cluster, step.member, restore ? { ...boot, restore } : boot);
  return carriedOut(ctx, cluster, obs, step);
};

const addLearner: StepExecutor<'AddLearner'> = async (ctx, cluster, obs, step) => {
  const call = callOptions(ctx);
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
  return carriedOut(ctx, cluster, obs, step);
};

const promoteLearner: StepExecutor<'PromoteLearner'> = async (ctx, cluster, obs, step) => {
  // A learner is promoted only once its log caught up with the leader's.
  const stopped = await etcdCall(ctx, { notYet: ['LearnerNotInSync'] }, () =>
    voterClient(obs, ctx).memberPromote(step.memberId, callOptions(ctx)),
  );
  return stopped ?? carriedOut(ctx, cluster, obs, step);
};

const moveLeader: StepExecutor<'MoveLeader'> = async (ctx, cluster, obs, step) => {
  const from = obs.membership?.members.find((m) => m.id === step.fromId);
  const endpoint = from ? memberEndpoint(obs, ctx.addressing, from.memberName) : undefined;
  if (endpoint === undefined) return lookAgainSoon(ctx);
  await ctx.etcd(endpoint).moveLeader(step.toId, callOptions(ctx));
  return carriedOut(ctx, cluster, obs, step);
};

const removeMember: StepExecutor<'RemoveMember'> = async (ctx, cluster, obs, step) => {
  // Refused like an add by the strict reconfiguration check; gone already is done (a re-run).
  // The volume's fate goes on the PVC first: a removal stopped after the
  // member left etcd must not leave a PVC that reads as a plain leftover.
  await markRemovalFate(ctx, obs, step.member, {
    volume: step.volume,
    ...(step.quarantineId !== undefined ? { quarantineId: step.quarantineId } : {}),
  });
  const stopped = await etcdCall(ctx, { notYet: ['Unhealthy'], alreadyDone: ['MemberNotFound'] }, () =>
    voterClient(obs, ctx, step.memberId).memberRemove(step.memberId, callOptions(ctx)),
  );
  if (stopped) return stopped;
  await deleteMemberObjects(ctx, obs, step.member, { pod: true, pvc: false });
  if (step.volume === 'Retain') await retainVolume(ctx, obs, step.member, 'ScaledDown');
  else if (step.volume === 'Quarantine') await quarantineReplacedPvc(ctx, cluster, obs, step);
  else await deleteMemberObjects(ctx, obs, step.member, { pod: false, pvc: true });
  return carriedOut(ctx, cluster, obs, step);
};

const deleteOrphan: StepExecutor<'DeleteOrphan'> = async (ctx, cluster, obs, step) => {
  await deleteMemberObjects(ctx, obs, step.member, { pod: step.pod, pvc: step.pvc });
  return carriedOut(ctx, cluster, obs, step);
};

const quarantineOrphanVolume: StepExecutor<'QuarantineVolume'> = async (ctx, cluster, obs, step) => {
  await quarantineReplacedPvc(ctx, cluster, obs, step);
  return carriedOut(ctx, cluster, obs, step);
};

const retainOrphanVolume: StepExecutor<'RetainVolume'> = async (ctx, cluster, obs, step) => {
  await retainVolume(ctx, obs, step.member, step.why);
  return carriedOut(ctx, cluster, obs, step);
};

const startRecovery: StepExecutor<'StartRecovery'> = async (ctx, cluster, obs, step) => {
  // The survivor is on record in status (written before this step); the others' data is set
  // aside first, then their Pods go, and they rejoin empty under new names.
  await quarantineAll(ctx, cluster, obs, step);
  for (const member of step.deletePods)
    await deleteMemberObjects(ctx, obs, member, { pod: true, pvc: false });
  const survivor = obs.pods.get(step.survivor);
  if (survivor !== undefined && !survivor.forceNewCluster && !survivor.terminating)
    await deleteMemberObjects(ctx, obs, step.survivor, { pod: true, pvc: false });
  return carriedOut(ctx, cluster, obs, step);
};

const startBackupRecovery: StepExecutor<'StartBackupRecovery'> = async (ctx, cluster, obs, step) => {
  // The snapshot and the seed are on record in status (written before this step).
  await quarantineAll(ctx, cluster, obs, step);
  for (const member of step.deletePods)
    await deleteMemberObjects(ctx, obs, member, { pod: true, pvc: false });
  return carriedOut(ctx, cluster, obs, step);
};

const forceNewCluster: StepExecutor<'ForceNewCluster'> = async (ctx, cluster, obs, step) => {
  await startMember(ctx, cluster, step.member, {
    ...bootstrapFor(obs, step.member, 'existing'),
    forceNewCluster: true,
  });
  return carriedOut(ctx, cluster, obs, step);
};

const finishRecovery: StepExecutor<'FinishRecovery'> = async (ctx, cluster, obs, step) => {
  if (step.restart) await deleteMemberObjects(ctx, obs, step.member, { pod: true, pvc: false });
  else await removeRecoverAnnotation(ctx, ctx.key, cluster);
  return carriedOut(ctx, cluster, obs, step);
};

const rollMember: StepExecutor<'RollMember'> = (ctx, cluster, obs, step) =>
  recreateMember(ctx, cluster, obs, step, step.how);

const upgradeMember: StepExecutor<'UpgradeMember'> = async (ctx, cluster, obs, step) => {
  if (step.how !== 'PatchImage') return recreateMember(ctx, cluster, obs, step, step.how);
  // Changing a Pod's image restarts its container in place: same Pod, same volume, same member.
  await ctx.client.resource<Pod>(PodType).patch(
    { namespace: obs.namespace, name: step.member },
    {
      type: 'json',
      ops: [{ op: 'replace', path: '/spec/containers/0/image', value: etcdImage(cluster, step.to) }],
    },
    { fieldManager: FIELD_MANAGER, ...callOptions(ctx) },
  );
  return carriedOut(ctx, cluster, obs, step);
};

/** The executor of every step kind. */
export const STEP_EXECUTORS: StepExecutors<StepKind> = {
  Wait: wait,
  Converged: converged,
  CreateSeed: createSeed,
  StartMember: startExistingMember,
  AddLearner: addLearner,
  PromoteLearner: promoteLearner,
  MoveLeader: moveLeader,
  RemoveMember: removeMember,
  DeleteOrphan: deleteOrphan,
  RetainVolume: retainOrphanVolume,
  QuarantineVolume: quarantineOrphanVolume,
  UpgradeMember: upgradeMember,
  RollMember: rollMember,
  StartRecovery: startRecovery,
  ForceNewCluster: forceNewCluster,
  FinishRecovery: finishRecovery,
  StartBackupRecovery: startBackupRecovery,
  ...SPACE_STEP_EXECUTORS,
};

/** The executor of `kind`, typed for the steps of that kind. */
export function executorOf<K extends StepKind>(kind: K): StepExecutor<K> {
  return STEP_EXECUTORS[kind];
}
