// metav1.LabelSelector as data: its string form (for role selectors and list
// calls) and local matching through @switchboard/core's selector parser.
import { parseLabelSelector } from '@switchboard/core';
import type { LabelSelector } from '../api/index.js';

/**
 * The API server's string form of a selector (`a=b,c in (x,y)`), keys of
 * `matchLabels` sorted, as `metav1.LabelSelectorAsSelector` prints it.
 */
export function selectorString(selector: LabelSelector): string {
  const terms: { key: string; term: string }[] = [];
  for (const key of Object.keys(selector.matchLabels ?? {}))
    terms.push({ key, term: `${key}=${selector.matchLabels![key]}` });
  for (const req of selector.matchExpressions ?? []) {
    const values = [...(req.values ?? [])].sort().join(',');
    const term =
      req.operator === 'In'
        ? `${req.key} in (${values})`
        : req.operator === 'NotIn'
          ? `${req.key} notin (${values})`
          : req.operator === 'Exists'
            ? req.key
            : `!${req.key}`;
    terms.push({ key: req.key, term });
  }
  return terms
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((t) => t.term)
    .join(',');
}

/**
 * Whether `labels` match `selector`. An absent selector matches nothing and
 * an empty one everything, as in prometheus-operator's Prometheus spec.
 */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (selector === undefined) return false;
  return parseLabelSelector(selectorString(selector)).matches(labels ?? {});
}
