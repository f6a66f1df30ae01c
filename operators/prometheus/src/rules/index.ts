// PrometheusRule handling: validation, rendering to rule files, and packing
// the files into ConfigMaps that the Prometheus pods mount.
export {
  buildRuleFiles,
  renderRuleFile,
  ruleFileName,
  packRuleConfigMaps,
  MAX_RULE_CONFIGMAP_BYTES,
} from './rule-files.js';
export type { RuleFiles, InvalidRule, RuleConfigMapContent } from './rule-files.js';
export { validatePrometheusRule, promqlLexicalError } from './rule-validation.js';
