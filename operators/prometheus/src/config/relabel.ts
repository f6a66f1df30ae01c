// Relabeling steps shared by ServiceMonitor and PodMonitor translation, in
// prometheus-operator's exact shapes and key order so configs diff cleanly
// against the reference's.
import type { LabelSelector, RelabelConfig } from '../api/index.js';
import type { YamlMap } from './yaml-value.js';

/** Prometheus's label-name sanitation: every invalid character becomes `_`. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** The first step of every job: keep the job name in a temporary label. */
export function initialRelabelings(): YamlMap[] {
  return [{ source_labels: ['job'], target_label: '__tmp_prometheus_job_name' }];
}

/** Drops targets whose Pod has finished. */
export function runningFilter(): YamlMap {
  return { action: 'drop', source_labels: ['__meta_kubernetes_pod_phase'], regex: '(Failed|Succeeded)' };
}

/**
 * keep / drop steps that apply a monitor's label selector to the discovered
 * `service` or `pod` labels (matchLabels sorted, then matchExpressions).
 */
export function selectorRelabelings(selector: LabelSelector, object: 'service' | 'pod'): YamlMap[] {
  const label = (k: string): string => `__meta_kubernetes_${object}_label_${sanitizeLabelName(k)}`;
  const present = (k: string): string => `__meta_kubernetes_${object}_labelpresent_${sanitizeLabelName(k)}`;
  const out: YamlMap[] = [];
  for (const key of Object.keys(selector.matchLabels ?? {}).sort()) {
    out.push({
      action: 'keep',
      source_labels: [label(key), present(key)],
      regex: `(${selector.matchLabels![key]});true`,
    });
  }
  for (const exp of selector.matchExpressions ?? []) {
    const values = (exp.values ?? []).join('|');
    switch (exp.operator) {
      case 'In':
        out.push({
          action: 'keep',
          source_labels: [label(exp.key), present(exp.key)],
          regex: `(${values});true`,
        });
        break;
      case 'NotIn':
        out.push({
          action: 'drop',
          source_labels: [label(exp.key), present(exp.key)],
          regex: `(${values});true`,
        });
        break;
      case 'Exists':
        out.push({ action: 'keep', source_labels: [present(exp.key)], regex: 'true' });
        break;
      case 'DoesNotExist':
        out.push({ action: 'drop', source_labels: [present(exp.key)], regex: 'true' });
        break;
    }
  }
  return out;
}

/** Copies the `${object}` label `name` onto the target as label `name`. */
export function copyLabel(object: 'service' | 'pod', name: string): YamlMap {
  return {
    source_labels: [`__meta_kubernetes_${object}_label_${sanitizeLabelName(name)}`],
    target_label: sanitizeLabelName(name),
    regex: '(.+)',
    replacement: '${1}',
  };
}

/** User-written relabelings, camelCase in, Prometheus's snake_case out. */
export function renderRelabelConfigs(configs: readonly RelabelConfig[] | undefined): YamlMap[] {
  return (configs ?? []).map((c) => {
    const out: YamlMap = {};
    if (c.sourceLabels !== undefined && c.sourceLabels.length > 0) out['source_labels'] = c.sourceLabels;
    if (c.separator !== undefined) out['separator'] = c.separator;
    if (c.targetLabel !== undefined && c.targetLabel !== '') out['target_label'] = c.targetLabel;
    if (c.regex !== undefined && c.regex !== '') out['regex'] = c.regex;
    if (c.modulus !== undefined && c.modulus !== 0) out['modulus'] = c.modulus;
    if (c.replacement !== undefined) out['replacement'] = c.replacement;
    if (c.action !== undefined && c.action !== '') out['action'] = c.action.toLowerCase();
    return out;
  });
}
