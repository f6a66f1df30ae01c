// Alertmanager: a clustered set of Alertmanager replicas with configuration
// from a Secret.
import type { MonitoringCondition, MonitoringObject } from './common.js';
import type { ResourceRequirements, StorageSpec, WorkloadStatus } from './workload.js';

/** The spec of an {@link Alertmanager}. */
export interface AlertmanagerSpec {
  replicas?: number;
  version?: string;
  image?: string;
  /**
   * Secret holding `alertmanager.yaml` (gzipped `alertmanager.yaml.gz` is
   * also read); default `alertmanager-<name>`. A built-in config that drops
   * every alert is used when the Secret is missing.
   */
  configSecret?: string;
  /** Time to keep data; default `120h`. */
  retention?: string;
  storage?: StorageSpec;
  resources?: ResourceRequirements;
  serviceAccountName?: string;
  paused?: boolean;
  externalUrl?: string;
  nodeSelector?: Record<string, string>;
}

/** The status of an {@link Alertmanager}. */
export interface AlertmanagerStatus extends WorkloadStatus {
  conditions?: MonitoringCondition[];
}

/** A monitoring.coreos.com/v1 Alertmanager. */
export type Alertmanager = MonitoringObject<AlertmanagerSpec, AlertmanagerStatus>;
