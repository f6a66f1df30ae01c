// The EtcdBackup controller's wiring: it reconciles EtcdBackups
// (reconcile-backup.ts: observe, decide one step, write status as intent,
// then execute-backup-step.ts carries it out) and owns their snapshot
// Jobs, so a Job finishing requeues its backup at once.
import type { Manager, ReconcileOutcome } from '@switchboard/core';
import { EventRecorder, generationChanged } from '@switchboard/core';

import { EtcdBackupResource } from '../api/backup-crd.js';
import type { EtcdClientFactory } from '../etcd/etcd-client.js';
import { gatewayClientFactoryClosedWith } from '../etcd/gateway-client.js';
import { JobType } from '../kube/snapshot-job.js';
import type { BackupMetricsSink } from '../metrics/operator-metrics.js';
import { EtcdBackupMetrics } from '../metrics/operator-metrics.js';
import type { MemberAddressing } from '../runbook/member-names.js';
import { defaultMemberAddressing } from '../runbook/member-names.js';
import { reconcileEtcdBackup } from './reconcile-backup.js';

/** Name of the controller (metrics label). */
export const ETCD_BACKUP_CONTROLLER_NAME = 'etcdbackup';

/** Options of {@link addEtcdBackupController}. */
export interface EtcdBackupControllerOptions {
  /** Backups reconciled at once (default 2). */
  maxConcurrentReconciles?: number;
  /** Clock (tests). */
  now?: () => Date;
  /** Where backup metrics go (default {@link EtcdBackupMetrics} on `manager.registry`). */
  metrics?: BackupMetricsSink;
  /** Client of one etcd member, for S3 snapshots (default: {@link gatewayClientFactoryClosedWith}: closed when the manager stops). */
  etcdClient?: EtcdClientFactory;
  /**
   * How the operator reaches a member for the S3 snapshots it streams:
   * `dns` (its name under the headless Service) or `pod-ip`. Default
   * {@link defaultMemberAddressing}, as for the EtcdCluster controller.
   */
  memberAddressing?: MemberAddressing;
}

/**
 * Adds the EtcdBackup controller to a manager.
 *
 * @example
 * ```ts
 * addEtcdController(manager);
 * addEtcdBackupController(manager);
 * ```
 */
export function addEtcdBackupController(manager: Manager, opts: EtcdBackupControllerOptions = {}): void {
  const recorder = new EventRecorder(manager.client, {
    reportingController: 'etcd.switchboard.dev/etcd-operator',
    logger: manager.logger,
  });
  const metrics = opts.metrics ?? new EtcdBackupMetrics(manager.registry);
  const addressing = opts.memberAddressing ?? defaultMemberAddressing();
  const etcdClient = opts.etcdClient ?? gatewayClientFactoryClosedWith(manager);
  manager
    .controller()
    .named(ETCD_BACKUP_CONTROLLER_NAME)
    .for(EtcdBackupResource, { predicates: [generationChanged] })
    .owns(JobType)
    .withOptions({ maxConcurrentReconciles: opts.maxConcurrentReconciles ?? 2 })
    .build((req, ctx): Promise<ReconcileOutcome> =>
      reconcileEtcdBackup(
        req,
        {
          client: manager.client,
          recorder,
          metrics,
          etcdClient,
          addressing,
          ...(opts.now ? { now: opts.now } : {}),
        },
        ctx.signal,
      ),
    );
}
