// The etcd operator's own metrics, next to the controller-runtime ones on the
// manager's registry. Cluster gauges are set from each pass's observation
// (so they are as fresh as the last reconcile, never cached state) and
// removed when the EtcdCluster is gone; backup series likewise per EtcdBackup.
import type { Registry } from '@switchboard/core';
import { Counter, Gauge } from '@switchboard/core';

import type { ClusterObservation } from '../runbook/observation.js';
import type { Step } from '../runbook/step.js';

/** Member states counted by `etcd_operator_members`. */
export const MEMBER_STATES = ['healthy', 'unhealthy', 'learner'] as const;

/** An object the metrics are about. */
export interface MetricsKey {
  namespace?: string;
  name: string;
}

/** What the EtcdCluster reconciler reports (see reconcile-cluster.ts). */
export interface ClusterMetricsSink {
  /** A pass observed the cluster and chose `step` (before executing it). */
  observed(key: MetricsKey, obs: ClusterObservation, step: Step): void;
  /** A pass executed `step` without error. */
  stepTaken(key: MetricsKey, step: Step): void;
  /** The EtcdCluster is gone: its series are removed. */
  deleted(key: MetricsKey): void;
}

/** What the EtcdBackup reconciler reports (see reconcile-backup.ts). */
export interface BackupMetricsSink {
  /** A snapshot was recorded as succeeded or failed. */
  finished(key: MetricsKey, result: 'success' | 'failure'): void;
  /** The backup's last successful snapshot (RFC 3339), after each pass. */
  observed(key: MetricsKey, lastSuccessTime: string | undefined): void;
  /** The EtcdBackup is gone. */
  deleted(key: MetricsKey): void;
}

const labelsOf = (key: MetricsKey) => ({ namespace: key.namespace ?? '', cluster: key.name });
const keyOf = (key: MetricsKey) => `${key.namespace ?? ''}/${key.name}`;

/**
 * The EtcdCluster controller's `etcd_operator_*` metrics on a registry (the
 * manager's; {@link EtcdBackupMetrics} has the backup ones).
 *
 * | metric | type | labels |
 * | --- | --- | --- |
 * | `etcd_operator_clusters` | gauge | (none): EtcdClusters reconciled |
 * | `etcd_operator_cluster_available` | gauge | namespace, cluster: 1 with a quorum-confirmed member list |
 * | `etcd_operator_members` | gauge | namespace, cluster, state (healthy, unhealthy: voters; learner) |
 * | `etcd_operator_space_alarm` | gauge | namespace, cluster: members with a NOSPACE alarm |
 * | `etcd_operator_space_recoveries_total` | counter | namespace, cluster: NOSPACE recoveries finished |
 * | `etcd_operator_steps_total` | counter | namespace, cluster, step: runbook steps taken |
 *
 * `addEtcdController` makes one on `manager.registry` unless given another sink.
 */
export class EtcdClusterMetrics implements ClusterMetricsSink {
  private readonly clusters = new Set<string>();
  /** Step kinds counted per cluster, so deletion removes each series. */
  private readonly stepKinds = new Map<string, Set<string>>();
  private readonly available: Gauge<'namespace' | 'cluster'>;
  private readonly members: Gauge<'namespace' | 'cluster' | 'state'>;
  private readonly spaceAlarm: Gauge<'namespace' | 'cluster'>;
  private readonly spaceRecoveries: Counter<'namespace' | 'cluster'>;
  private readonly steps: Counter<'namespace' | 'cluster' | 'step'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const clusters = this.clusters;
    new Gauge({
      name: 'etcd_operator_clusters',
      help: 'EtcdClusters the operator reconciles',
      registers,
      collect() {
        this.set(clusters.size);
      },
    });
    this.available = new Gauge({
      name: 'etcd_operator_cluster_available',
      help: '1 when a member in contact with a quorum answered the last pass, else 0',
      labelNames: ['namespace', 'cluster'],
      registers,
    });
    this.members = new Gauge({
      name: 'etcd_operator_members',
      help: 'etcd members by state as the last pass saw them (healthy and unhealthy count voters)',
      labelNames: ['namespace', 'cluster', 'state'],
      registers,
    });
    this.spaceAlarm = new Gauge({
      name: 'etcd_operator_space_alarm',
      help: 'Members with an active NOSPACE alarm',
      labelNames: ['namespace', 'cluster'],
      registers,
    });
    this.spaceRecoveries = new Counter({
      name: 'etcd_operator_space_recoveries_total',
      help: 'Recoveries from NOSPACE (compact, defragment, disarm) finished',
      labelNames: ['namespace', 'cluster'],
      registers,
    });
    this.steps = new Counter({
      name: 'etcd_operator_steps_total',
      help: 'Mutating runbook steps taken, by kind',
      labelNames: ['namespace', 'cluster', 'step'],
      registers,
    });
  }

  observed(key: MetricsKey, obs: ClusterObservation, _step: Step): void {
    const labels = labelsOf(key);
    this.clusters.add(keyOf(key));
    const members = obs.membership?.members ?? [];
    this.available.set(labels, obs.membership === undefined ? 0 : 1);
    const count = (state: (typeof MEMBER_STATES)[number]) =>
      members.filter((m) =>
        state === 'learner' ? m.isLearner : !m.isLearner && m.healthy === (state === 'healthy'),
      ).length;
    for (const state of MEMBER_STATES) this.members.set({ ...labels, state }, count(state));
    const alarms = obs.membership?.alarms.filter((a) => a.alarm === 'NOSPACE') ?? [];
    this.spaceAlarm.set(labels, new Set(alarms.map((a) => a.memberId)).size);
    this.spaceRecoveries.inc(labels, 0);
  }

  stepTaken(key: MetricsKey, step: Step): void {
    if (step.kind === 'Wait' || step.kind === 'Converged') return;
    this.steps.inc({ ...labelsOf(key), step: step.kind });
    const kinds = this.stepKinds.get(keyOf(key)) ?? new Set<string>();
    this.stepKinds.set(keyOf(key), kinds.add(step.kind));
    if (step.kind === 'FinishSpaceRecovery' && step.why === 'NoSpace')
      this.spaceRecoveries.inc(labelsOf(key));
  }

  deleted(key: MetricsKey): void {
    const labels = labelsOf(key);
    this.clusters.delete(keyOf(key));
    this.available.remove(labels);
    for (const state of MEMBER_STATES) this.members.remove({ ...labels, state });
    this.spaceAlarm.remove(labels);
    this.spaceRecoveries.remove(labels);
    for (const step of this.stepKinds.get(keyOf(key)) ?? []) this.steps.remove({ ...labels, step });
    this.stepKinds.delete(keyOf(key));
  }
}

/**
 * The EtcdBackup controller's metrics: `etcd_operator_backups_total`
 * (counter; namespace, backup, result = success | failure) and
 * `etcd_operator_backup_last_success_timestamp_seconds` (gauge; namespace, backup).
 * `addEtcdBackupController` makes one on `manager.registry`.
 */
export class EtcdBackupMetrics implements BackupMetricsSink {
  private readonly total: Counter<'namespace' | 'backup' | 'result'>;
  private readonly lastSuccess: Gauge<'namespace' | 'backup'>;

  constructor(registry: Registry) {
    this.total = new Counter({
      name: 'etcd_operator_backups_total',
      help: 'Snapshots recorded, by result',
      labelNames: ['namespace', 'backup', 'result'],
      registers: [registry],
    });
    this.lastSuccess = new Gauge({
      name: 'etcd_operator_backup_last_success_timestamp_seconds',
      help: "Completion time of the backup's last successful snapshot (Unix seconds)",
      labelNames: ['namespace', 'backup'],
      registers: [registry],
    });
  }

  finished(key: MetricsKey, result: 'success' | 'failure'): void {
    this.total.inc({ ...backupLabels(key), result });
  }

  observed(key: MetricsKey, lastSuccessTime: string | undefined): void {
    for (const result of BACKUP_RESULTS) this.total.inc({ ...backupLabels(key), result }, 0);
    const at = lastSuccessTime === undefined ? NaN : Date.parse(lastSuccessTime);
    if (Number.isNaN(at)) this.lastSuccess.remove(backupLabels(key));
    else this.lastSuccess.set(backupLabels(key), at / 1000);
  }

  deleted(key: MetricsKey): void {
    for (const result of BACKUP_RESULTS) this.total.remove({ ...backupLabels(key), result });
    this.lastSuccess.remove(backupLabels(key));
  }
}

const BACKUP_RESULTS = ['success', 'failure'] as const;
const backupLabels = (key: MetricsKey) => ({ namespace: key.namespace ?? '', backup: key.name });
