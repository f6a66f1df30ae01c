// Carries out the one step the runbook chose, against the API server and
// etcd. The order of calls inside a step is the crash-safety story: the
// irreversible etcd call comes first and every Kubernetes write after it is
// repeatable, so an operator killed between two calls leaves a state the
// next pass recognises (a member without a Pod is started; a Pod or PVC
// without a member is an orphan and is deleted).
import type { Client } from '@switchboard/core';
import { AlreadyExistsError, ConflictError, isNotFound } from '@switchboard/core';

import type { EtcdCluster } from '../api/types.js';
import { ConditionType, ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../api/types.js';
import type { EtcdClientFactory, EtcdEndpointClient, EtcdErrorReason } from '../etcd/etcd-client.js';
import { EtcdRequestError } from '../etcd/etcd-client.js';
import { clientScheme, peerScheme } from '../tls/cluster-tls.js';
import type { PersistentVolumeClaim, Pod } from '../kube/kube-types.js';
import { PodType, PvcType } from '../kube/kube-types.js';
import { CLUSTER_UID_LABEL, FIELD_MANAGER, RETAINED_ANNOTATION, RETAINED_LABEL } from '../kube/labels.js';
import { originOf } from '../kube/owner.js';
import type { MemberBootstrap } from '../kube/member-pod.js';
import { etcdImage, memberPod, memberPvc } from '../kube/member-pod.js';
import { memberClientURL, peerURL } from '../runbook/member-names.js';
import type { MemberAddressing } from '../runbook/member-names.js';
import type { ClusterObservation } from '../runbook/observation.js';
import { voters } from '../runbook/observation.js';
import { RECOVER_ANNOTATION } from '../runbook/recover.js';
import { describeForeignAnswers, FOREIGN_MEMBER_REASON } from '../runbook/cluster-identity.js';
import type { RetainedWhy } from '../runbook/retention.js';
import { isOurs } from '../runbook/retention.js';
import type { Step } from '../runbook/step.js';
import { describeStep } from '../runbook/step.js';
import { executeSpaceStep, recordRecurringNoSpace } from './execute-space-step.js';

/** Where membership-change events go (core's EventRecorder, or a test double). */
export interface EventSink {
  record(cluster: EtcdCluster, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

/** What executing a step needs. */
export interface StepContext {
  client: Client;
  etcd: EtcdClientFactory;
  events: EventSink;
  signal?: AbortSignal;
  /** How members are reached (default `pod-ip`). */
  addressing?: MemberAddressing;
  /** Image of a seed's S3 snapshot download (default the operator's, member-pod.ts). */
  toolboxImage?: string;
}

/** How soon to look again after a step. */
export interface StepResult {
  /** True when etcd asked to try again shortly (e.g. learner not in sync yet). */
  retrySoon: boolean;
}

function endpointOf(obs: ClusterObservation, ctx: StepContext, member: string): string | undefined {
  const ip = obs.pods.get(member)?.podIP;
  return ip === undefined
    ? undefined
    : memberClientURL(
        ctx.addressing ?? 'pod-ip',
        obs.name,
        obs.namespace,
        member,
        ip,
        clientScheme(obs.spec),
      );
}

/** A client of a healthy voter other than `except`, the leader preferred (membership calls go there anyway). */
function voterClient(obs: ClusterObservation, ctx: StepContext, except?: string): EtcdEndpointClient {
  const candidates = voters(obs.membership ?? { clusterId: '', members: [], alarms: [] })
    .filter((m) => m.healthy && m.id !== except)
    .sort((a, b) => Number(b.id === obs.membership?.leaderId) - Number(a.id === obs.membership?.leaderId));
  for (const m of candidates) {
    const endpoint = endpointOf(obs, ctx, m.memberName);
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

async function createIgnoringExisting<T extends Pod | PersistentVolumeClaim>(
  create: () => Promise<T>,
): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
}

/** Runs a write to one object; the object being gone already is not an error. */
async function ignoringMissing(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** A PVC of the member's name exists but was made by another EtcdCluster (or by no operator): never started on. */
export class ForeignVolumeError extends Error {
  readonly reason = 'ForeignVolume';
  constructor(readonly key: { namespace: string; name: string }) {
    super(
      `PVC ${key.namespace}/${key.name} exists but is not this EtcdCluster's (another UID in its label ${CLUSTER_UID_LABEL}, or none): no member is started on it`,
    );
  }
}

/** Creates the member's PVC, or checks that the one already there is this cluster's (../runbook/retention.ts). */
async function ensureMemberPvc(ctx: StepContext, cluster: EtcdCluster, member: string): Promise<void> {
  const call = ctx.signal ? { signal: ctx.signal } : {};
  const pvcs = ctx.client.resource<PersistentVolumeClaim>(PvcType);
  try {
    await pvcs.create(memberPvc(cluster, member), { fieldManager: FIELD_MANAGER, ...call });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    const key = { namespace: cluster.metadata.namespace ?? 'default', name: member };
    const existing = await pvcs.get(key, call);
    if (!isOurs(originOf(existing.metadata), cluster.metadata.uid ?? '') || isRetained(existing))
      throw new ForeignVolumeError(key);
  }
}

function isRetained(pvc: PersistentVolumeClaim): boolean {
  return pvc.metadata.labels?.[RETAINED_LABEL] !== undefined;
}

async function startMember(
  ctx: StepContext,
  cluster: EtcdCluster,
  member: string,
  boot: MemberBootstrap,
): Promise<void> {
  const opts = { fieldManager: FIELD_MANAGER, ...(ctx.signal ? { signal: ctx.signal } : {}) };
  if (cluster.spec.storage.type !== 'Ephemeral') await ensureMemberPvc(ctx, cluster, member);
  await createIgnoringExisting(() =>
    ctx.client
      .resource<Pod>(PodType)
      .create(
        memberPod(cluster, member, ctx.toolboxImage ? { ...boot, toolboxImage: ctx.toolboxImage } : boot),
        opts,
      ),
  );
}

/** Removes the `etcd.switchboard.dev/recover` annotation from `cluster`, if set. */
export async function removeRecoverAnnotation(
  client: Client,
  cluster: EtcdCluster,
  call: { signal?: AbortSignal } = {},
): Promise<void> {
  if (cluster.metadata.annotations?.[RECOVER_ANNOTATION] === undefined) return;
  await client
    .resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND })
    .patch(
      { namespace: cluster.metadata.namespace ?? '', name: cluster.metadata.name ?? '' },
      { type: 'merge', body: { metadata: { annotations: { [RECOVER_ANNOTATION]: null } } } },
      { fieldManager: FIELD_MANAGER, ...call },
    );
}

/**
 * A Pod or PVC the step would delete was replaced by another of the same
 * name since the observation (its UID differs): the step stops there, and the
 * next pass decides again from a fresh observation.
 */
export class StaleObservationError extends Error {
  readonly reason = 'StaleObservation';
  constructor(
    readonly kind: 'Pod' | 'PersistentVolumeClaim',
    readonly key: { namespace: string; name: string },
    readonly observedUid: string,
  ) {
    super(
      `${kind} ${key.namespace}/${key.name} is no longer the one observed (uid ${observedUid}): it was recreated since, and is not deleted`,
    );
  }
}

/** Deletes an observed object only while it is the one observed (a UID precondition); one never observed is left alone. */
async function deleteObserved(
  ctx: StepContext,
  kind: 'Pod' | 'PersistentVolumeClaim',
  key: { namespace: string; name: string },
  uid: string | undefined,
): Promise<void> {
  if (uid === undefined || uid === '') return;
  const resource = ctx.client.resource(kind === 'Pod' ? PodType : PvcType);
  try {
    await resource.delete(key, { preconditions: { uid }, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  } catch (err) {
    if (isNotFound(err)) return;
    if (err instanceof ConflictError) throw new StaleObservationError(kind, key, uid);
    throw err;
  }
}

/** Deletes a member's Pod and/or PVC as observed, the Pod first (its PVC is protected while a Pod uses it). */
async function deleteMemberObjects(
  ctx: StepContext,
  obs: ClusterObservation,
  member: string,
  which: { pod: boolean; pvc: boolean },
): Promise<void> {
  const key = { namespace: obs.namespace, name: member };
  if (which.pod) await deleteObserved(ctx, 'Pod', key, obs.pods.get(member)?.uid);
  if (which.pvc) await deleteObserved(ctx, 'PersistentVolumeClaim', key, obs.pvcUids?.get(member));
}

/**
 * Relabels a member's PVC as retained (../runbook/retention.ts): it keeps the
 * cluster's labels and UID, and says which member it was and why it was kept.
 */
async function retainVolume(
  ctx: StepContext,
  obs: ClusterObservation,
  member: string,
  why: RetainedWhy,
): Promise<void> {
  const how =
    why === 'ScaledDown'
      ? 'removed by a scale-down'
      : 'which left etcd without its removal finishing (an interrupted step)';
  const note = `volume of member ${member} of EtcdCluster ${obs.namespace}/${obs.name} (uid ${obs.uid ?? 'unknown'}), ${how}; kept on ${new Date().toISOString()} because spec.persistentVolumeClaimRetentionPolicy.whenScaled is Retain. The operator never uses or deletes it: delete it once its data is not needed`;
  await ignoringMissing(async () => {
    await ctx.client.resource<PersistentVolumeClaim>(PvcType).patch(
      { namespace: obs.namespace, name: member },
      {
        type: 'merge',
        body: {
          metadata: { labels: { [RETAINED_LABEL]: why }, annotations: { [RETAINED_ANNOTATION]: note } },
        },
      },
      { fieldManager: FIELD_MANAGER, ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
  });
}

function degradedReason(obs: ClusterObservation): string | undefined {
  return obs.previousStatus.conditions?.find((c) => c.type === ConditionType.Degraded && c.status === 'True')
    ?.reason;
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

/** What a refusal by etcd means for the step: try again soon, or it is done already. */
type Refusals = Partial<Record<EtcdErrorReason, 'retrySoon' | 'done'>>;

/**
 * Runs one etcd call of a step, taking the refusals in `refusals` as the
 * outcome they name instead of as errors; any other error is thrown (the
 * controller backs off).
 */
async function taking(refusals: Refusals, call: () => Promise<unknown>): Promise<'done' | 'retrySoon'> {
  try {
    await call();
    return 'done';
  } catch (err) {
    const outcome = err instanceof EtcdRequestError ? refusals[err.reason] : undefined;
    if (outcome === undefined) throw err;
    return outcome;
  }
}

/**
 * Executes one mutating step; Wait and Converged change nothing (a degraded
 * Wait records an Event). A step that finds a Pod or PVC recreated since the
 * observation stops there (an Event says so) and asks to look again soon.
 */
export async function executeStep(
  ctx: StepContext,
  cluster: EtcdCluster,
  obs: ClusterObservation,
  step: Step,
): Promise<StepResult> {
  try {
    return await carryOut(ctx, cluster, obs, step);
  } catch (err) {
    if (!(err instanceof StaleObservationError)) throw err;
    await ctx.events.record(cluster, 'Normal', err.reason, `${describeStep(step)}: stopped: ${err.message}`);
    return { retrySoon: true };
  }
}

async function carryOut(
  ctx: StepContext,
  cluster: EtcdCluster,
  obs: ClusterObservation,
  step: Step,
): Promise<StepResult> {
  const call = ctx.signal ? { signal: ctx.signal } : {};
  const done: StepResult = { retrySoon: false };
  await recordRecurringNoSpace(ctx, cluster, obs, step);
  await recordForeignAnswers(ctx, cluster, obs);
  switch (step.kind) {
    case 'Wait':
      // Announced once, when Degraded turns to this reason (status was written before this call).
      if (step.degraded && degradedReason(obs) !== step.reason)
        await ctx.events.record(cluster, 'Warning', step.reason, step.message);
      return done;
    case 'Converged':
      return done;
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
        const added = await taking({ Unhealthy: 'retrySoon' }, () =>
          client.memberAdd(url, { learner: true, ...call }),
        );
        if (added === 'retrySoon') return { retrySoon: true };
      }
      await startMember(ctx, cluster, step.member, bootstrapFor(obs, step.member, 'existing'));
      break;
    }
    case 'PromoteLearner':
      // A learner is promoted only once its log caught up with the leader's.
      if (
        (await taking({ LearnerNotInSync: 'retrySoon' }, () =>
          voterClient(obs, ctx).memberPromote(step.memberId, call),
        )) === 'retrySoon'
      )
        return { retrySoon: true };
      break;
    case 'MoveLeader': {
      const from = obs.membership?.members.find((m) => m.id === step.fromId);
      const endpoint = from ? endpointOf(obs, ctx, from.memberName) : undefined;
      if (endpoint === undefined) return { retrySoon: true };
      await ctx.etcd(endpoint).moveLeader(step.toId, call);
      break;
    }
    case 'RemoveMember':
      // Refused like an add by the strict reconfiguration check; gone already is done (a re-run).
      if (
        (await taking({ Unhealthy: 'retrySoon', MemberNotFound: 'done' }, () =>
          voterClient(obs, ctx, step.memberId).memberRemove(step.memberId, call),
        )) === 'retrySoon'
      )
        return { retrySoon: true };
      await deleteMemberObjects(ctx, obs, step.member, { pod: true, pvc: false });
      if (step.volume === 'Retain') await retainVolume(ctx, obs, step.member, 'ScaledDown');
      else await deleteMemberObjects(ctx, obs, step.member, { pod: false, pvc: true });
      break;
    case 'DeleteOrphan':
      await deleteMemberObjects(ctx, obs, step.member, step);
      break;
    case 'RetainVolume':
      await retainVolume(ctx, obs, step.member, step.why);
      break;
    case 'StartRecovery': {
      // The survivor is on record in status (written before this step); the others rejoin empty.
      for (const member of step.others) await deleteMemberObjects(ctx, obs, member, { pod: true, pvc: true });
      const survivor = obs.pods.get(step.survivor);
      if (survivor !== undefined && !survivor.forceNewCluster && !survivor.terminating)
        await deleteMemberObjects(ctx, obs, step.survivor, { pod: true, pvc: false });
      break;
    }
    case 'StartBackupRecovery':
      // The snapshot and the seed are on record in status (written before this step).
      for (const member of step.remove) await deleteMemberObjects(ctx, obs, member, { pod: true, pvc: true });
      break;
    case 'ForceNewCluster':
      await startMember(ctx, cluster, step.member, {
        ...bootstrapFor(obs, step.member, 'existing'),
        forceNewCluster: true,
      });
      break;
    case 'FinishRecovery':
      if (step.restart) await deleteMemberObjects(ctx, obs, step.member, { pod: true, pvc: false });
      else await removeRecoverAnnotation(ctx.client, cluster, call);
      break;
    case 'CompactForSpace':
    case 'DefragmentMember':
    case 'DisarmNoSpace':
    case 'FinishSpaceRecovery':
      await executeSpaceStep(ctx, obs, step);
      break;
    case 'UpgradeMember':
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
  return done;
}
