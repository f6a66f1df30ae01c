// Reports on each selected PrometheusRule whether it was loaded: a condition
// `Accepted` (True, or False with the validation errors), written only when
// it changes so that status writes do not trigger endless passes.
import type { Client } from '@switchboard/core';
import type { MonitoringCondition, PrometheusRule } from '../api/index.js';
import type { InvalidRule } from '../rules/index.js';
import { PROMETHEUS_RULE } from './monitoring-kinds.js';

/** Writes the `Accepted` condition of each rule whose state changed. */
export async function reportRuleValidity(
  client: Client,
  rules: readonly PrometheusRule[],
  invalid: readonly InvalidRule[],
  now: Date,
  signal: AbortSignal,
): Promise<void> {
  for (const rule of rules) {
    const problems = invalid.find(
      (i) => i.namespace === rule.metadata.namespace && i.name === rule.metadata.name,
    );
    const next: Omit<MonitoringCondition, 'lastTransitionTime'> =
      problems === undefined
        ? {
            type: 'Accepted',
            status: 'True',
            reason: 'Valid',
            message: '',
            observedGeneration: rule.metadata.generation ?? 0,
          }
        : {
            type: 'Accepted',
            status: 'False',
            reason: 'InvalidRules',
            message: problems.errors.join('; '),
            observedGeneration: rule.metadata.generation ?? 0,
          };
    const current = rule.status?.conditions?.find((c) => c.type === 'Accepted');
    if (
      current?.status === next.status &&
      current.message === next.message &&
      current.observedGeneration === next.observedGeneration
    )
      continue;
    const condition: MonitoringCondition = {
      ...next,
      lastTransitionTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    await client
      .resource<PrometheusRule>(PROMETHEUS_RULE)
      .status.patch(
        { namespace: rule.metadata.namespace ?? '', name: rule.metadata.name ?? '' },
        { type: 'merge', body: { status: { conditions: [condition] } } },
        { signal },
      );
  }
}
