// One pass of one EtcdBackup:
//
//   1. read the EtcdBackup; gone or being deleted -> nothing to do (its
//      Jobs are owned by it and go with it)
//   2. observe the source cluster, the destination and the snapshot Jobs
//      afresh                                        (observe-backup.ts)
//   3. decide one step                              (../backup/decide.ts)
//   4. write status with that step as intent, before acting
//   5. carry the step out, record its Event, and say when to look again
//                                                   (execute-backup-step.ts);
//      a write the API server refuses (422, 403) ends the pass as Pending
//      with Succeeded False RefusedByAPIServer and one Warning Event, and
//      is tried again after REFUSED_RETRY_MS
//   6. report the backup's metrics
//
// An S3 snapshot is taken by the pass itself (upload-snapshot.ts); from a
// cluster with client TLS it presents the operator's client certificate,
// read by the same pass, to the member's address as the operator's
// addressing says.
import type { Client, EventRecorder, ReconcileOutcome, ReconcileRequest } from '@switchboard/core';
import { Outcome, findStatusCondition } from '@switchboard/core';

import { EtcdBackupResource } from '../api/backup-crd.js';
import type { EtcdBackupStatus } from '../api/backup-types.js';
import { BackupConditionType } from '../api/backup-types.js';
import { decideBackup } from '../backup/decide.js';
import { computeBackupStatus, refusedBackupStatus } from '../backup/status.js';
import type { EtcdClientFactory } from '../etcd/etcd-client.js';
import { gatewayClientFactory } from '../etcd/gateway-client.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import type { BackupMetricsSink } from '../metrics/operator-metrics.js';
import type { MemberAddressing } from '../runbook/member-names.js';
import { API_REFUSAL_REASON, isApiRefusal } from './api-refusal.js';
import { executeBackupStep } from './execute-backup-step.js';
import { getIfPresent } from './get-if-present.js';
import { observeBackup } from './observe-backup.js';

/** When a pass whose write the API server refused looks again (a change of the EtcdBackup is acted on at once). */
export const REFUSED_RETRY_MS = 60_000;

/** What {@link reconcileEtcdBackup} needs. */
export interface EtcdBackupReconcilerDeps {
  client: Client;
  recorder: EventRecorder;
  /** Clock (default the system's). */
  now?: () => Date;
  /** Where backup metrics go (none by default). */
  metrics?: BackupMetricsSink;
  /** Client of one etcd member, for S3 snapshots (default: a {@link gatewayClientFactory} of the pass's own). */
  etcdClient?: EtcdClientFactory;
  /** How the operator reaches members for S3 snapshots (default `pod-ip`). */
  addressing?: MemberAddressing;
}

/**
 * Runs one pass for the EtcdBackup `req` names; the outcome says when to
 * look again: soon after a step, when a Wait says, or only on a change.
 */
export async function reconcileEtcdBackup(
  req: ReconcileRequest,
  deps: EtcdBackupReconcilerDeps,
  signal?: AbortSignal,
): Promise<ReconcileOutcome> {
  const now = deps.now ?? (() => new Date());
  const call = signal ? { signal } : {};
  const backups = EtcdBackupResource.client(deps.client);
  const backup = await getIfPresent(backups, req, signal);
  if (backup === undefined) {
    deps.metrics?.deleted(req);
    return Outcome.done();
  }
  if (backup.metadata.deletionTimestamp !== undefined) return Outcome.done();
  const obs = await observeBackup(deps.client, backup, now(), signal, deps.addressing ?? 'pod-ip');
  const step = decideBackup(obs);
  const status = computeBackupStatus(obs, step);
  const writeStatus = async (s: EtcdBackupStatus): Promise<void> => {
    // Merge patch: fields that were cleared must be sent as null to be removed.
    const body = {
      status: {
        ...s,
        currentJob: s.currentJob ?? null,
        nextScheduleTime: s.nextScheduleTime ?? null,
      },
    };
    await backups.status.patch(req, { type: 'merge', body }, { fieldManager: FIELD_MANAGER, ...call });
  };
  await writeStatus(status);
  const regarding = { ...backup, apiVersion: EtcdBackupResource.apiVersion, kind: EtcdBackupResource.kind };
  // A pass run without a factory makes its own and closes its TLS Agents after
  // (a module-wide one would keep them, and their sockets, for the process's life).
  const ownEtcd = deps.etcdClient === undefined ? gatewayClientFactory() : undefined;
  let outcome: ReconcileOutcome;
  const record = (type: 'Normal' | 'Warning', reason: string, note: string): Promise<void> =>
    deps.recorder.record(regarding, { type, reason, action: 'Backup', note });
  try {
    outcome = await executeBackupStep(
      {
        client: deps.client,
        record,
        writeStatus,
        etcd: deps.etcdClient ?? ownEtcd!,
        now,
        ...call,
      },
      { backup, obs, written: status },
      step,
    );
  } catch (err) {
    if (!isApiRefusal(err)) throw err;
    // Retrying at once changes nothing: say so where the user looks, once.
    const message = `the API server refused an object rendered from the spec: ${err.message}`;
    await writeStatus(refusedBackupStatus(status, obs.generation, now(), API_REFUSAL_REASON, message));
    const before = findStatusCondition(backup.status?.conditions, BackupConditionType.Succeeded);
    if (!(before?.reason === API_REFUSAL_REASON && before.message === message))
      await record('Warning', API_REFUSAL_REASON, message);
    outcome = Outcome.requeueAfter(REFUSED_RETRY_MS);
  } finally {
    await ownEtcd?.close();
  }
  if (step.kind === 'RecordSuccess' || step.kind === 'RecordFailure')
    deps.metrics?.finished(req, step.kind === 'RecordSuccess' ? 'success' : 'failure');
  deps.metrics?.observed(req, status.lastSuccessTime);
  return outcome;
}
