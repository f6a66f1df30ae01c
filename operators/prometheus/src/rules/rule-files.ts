// PrometheusRules -> rule files -> ConfigMaps. Each valid PrometheusRule
// becomes one file `<namespace>-<name>-<uid>.yaml`; files are packed into
// ConfigMaps `prometheus-<name>-rulefiles-<i>` first-fit in name order, each
// under half the 1 MiB object limit, as the reference does.
import type { PrometheusRule } from '../api/index.js';
import { toYaml } from '../config/yaml.js';
import type { YamlMap, YamlValue } from '../config/yaml-value.js';
import { validatePrometheusRule } from './rule-validation.js';

/** Largest total size of the files in one rule ConfigMap (bytes). */
export const MAX_RULE_CONFIGMAP_BYTES = 512 * 1024;

/** A PrometheusRule that was left out, with the problems found. */
export interface InvalidRule {
  namespace: string;
  name: string;
  errors: string[];
}

/** Rule files by file name, and the rules that were rejected. */
export interface RuleFiles {
  files: Record<string, string>;
  invalid: InvalidRule[];
}

/** The file name of a PrometheusRule's rule file. */
export function ruleFileName(rule: PrometheusRule): string {
  return `${rule.metadata.namespace ?? ''}-${rule.metadata.name ?? ''}-${rule.metadata.uid ?? ''}.yaml`;
}

/** The rule file body: the spec's `groups` in Prometheus's rule-file format. */
export function renderRuleFile(rule: PrometheusRule): string {
  // The spec already uses rulefmt's field names; dropping undefined keeps
  // the file to what the user wrote.
  const groups = JSON.parse(JSON.stringify(rule.spec.groups ?? [])) as YamlValue;
  const doc: YamlMap = { groups };
  return toYaml(doc);
}

/**
 * Validates and renders every rule. Invalid rules are left out, so that one
 * bad object never breaks the rules Prometheus already runs.
 */
export function buildRuleFiles(rules: readonly PrometheusRule[]): RuleFiles {
  const files: Record<string, string> = {};
  const invalid: InvalidRule[] = [];
  for (const rule of rules) {
    const errors = validatePrometheusRule(rule);
    if (errors.length > 0) {
      invalid.push({ namespace: rule.metadata.namespace ?? '', name: rule.metadata.name ?? '', errors });
      continue;
    }
    const body = renderRuleFile(rule);
    const size = Buffer.byteLength(body);
    if (size > MAX_RULE_CONFIGMAP_BYTES) {
      invalid.push({
        namespace: rule.metadata.namespace ?? '',
        name: rule.metadata.name ?? '',
        errors: [`rendered rules are ${size} bytes, above the ${MAX_RULE_CONFIGMAP_BYTES}-byte limit`],
      });
      continue;
    }
    files[ruleFileName(rule)] = body;
  }
  const sorted = Object.fromEntries(
    Object.keys(files)
      .sort()
      .map((k) => [k, files[k]!]),
  );
  return { files: sorted, invalid };
}

/** One rule ConfigMap's name and data. */
export interface RuleConfigMapContent {
  name: string;
  data: Record<string, string>;
}

/**
 * Packs rule files into ConfigMaps named `<prefix>-rulefiles-<i>`, first-fit
 * in file-name order. There is always at least one (possibly empty) ConfigMap
 * so the mounted folder exists.
 *
 * @throws RangeError when a single file is larger than {@link MAX_RULE_CONFIGMAP_BYTES}.
 */
export function packRuleConfigMaps(
  prefix: string,
  files: Readonly<Record<string, string>>,
  maxBytes = MAX_RULE_CONFIGMAP_BYTES,
): RuleConfigMapContent[] {
  const buckets: { data: Record<string, string>; size: number }[] = [{ data: {}, size: 0 }];
  for (const name of Object.keys(files).sort()) {
    const body = files[name]!;
    const size = Buffer.byteLength(body);
    if (size > maxBytes)
      throw new RangeError(`rule file ${name} is ${size} bytes, above the ${maxBytes}-byte ConfigMap budget`);
    let bucket = buckets[buckets.length - 1]!;
    if (bucket.size + size > maxBytes) {
      bucket = { data: {}, size: 0 };
      buckets.push(bucket);
    }
    bucket.data[name] = body;
    bucket.size += size;
  }
  return buckets.map((b, i) => ({ name: `${prefix}-rulefiles-${i}`, data: b.data }));
}
