// PrometheusRule: recording and alerting rules, grouped as in a rule file.
import type { MonitoringCondition, MonitoringObject } from './common.js';

/** One recording (`record`) or alerting (`alert`) rule. */
export interface Rule {
  record?: string;
  alert?: string;
  /** PromQL; a number is accepted as the reference's int-or-string allows. */
  expr: string | number;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A rule group, evaluated together at one interval. */
export interface RuleGroup {
  name: string;
  interval?: string;
  query_offset?: string;
  limit?: number;
  labels?: Record<string, string>;
  rules?: Rule[];
}

/** The spec of a {@link PrometheusRule}. */
export interface PrometheusRuleSpec {
  groups?: RuleGroup[];
}

/**
 * Status this operator writes: whether the rules were accepted. The
 * reference reports per-Prometheus `bindings`; ours is a single condition list.
 */
export interface PrometheusRuleStatus {
  conditions?: MonitoringCondition[];
}

/** A monitoring.coreos.com/v1 PrometheusRule. */
export type PrometheusRule = MonitoringObject<PrometheusRuleSpec, PrometheusRuleStatus>;
