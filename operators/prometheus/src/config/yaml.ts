// One YAML rendering for everything this package writes (Prometheus config,
// rule files, CRDs), so that equal inputs give byte-equal output and an
// unchanged input never triggers a reload.
import { stringify } from 'yaml';

/**
 * Renders `value` as YAML: keys in insertion order, no anchors or aliases
 * (Prometheus and kubectl users read these files), no line folding.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { aliasDuplicateObjects: false, lineWidth: 0, indentSeq: false });
}
