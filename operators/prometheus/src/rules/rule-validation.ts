// Checks a PrometheusRule before it reaches Prometheus, so that one bad rule
// is reported on its own object instead of failing Prometheus's reload for
// everyone. Covers Prometheus's rulefmt checks (record xor alert, names,
// durations, label names, alert-only fields) and a lexical check of PromQL
// (balanced brackets, closed strings); a full PromQL parse is promtool's job.
import type { PrometheusRule, Rule } from '../api/index.js';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DURATION =
  /^(?:0|(?:[0-9]+y)?(?:[0-9]+w)?(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?(?:[0-9]+ms)?)$/;

/** Why a PromQL expression is lexically broken, or undefined when it is not. */
export function promqlLexicalError(expr: string): string | undefined {
  if (expr.trim() === '') return 'expression is empty';
  const closing: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const end = findClosingQuote(expr, i);
      if (end < 0) return `unterminated string starting at offset ${i}`;
      i = end;
    } else if (c === '#') {
      const nl = expr.indexOf('\n', i);
      i = nl < 0 ? expr.length : nl;
    } else if (c === '(' || c === '[' || c === '{') {
      stack.push(c);
    } else if (c in closing) {
      if (stack.pop() !== closing[c]) return `unexpected ${JSON.stringify(c)} at offset ${i}`;
    }
  }
  return stack.length > 0 ? `unclosed ${JSON.stringify(stack[stack.length - 1])}` : undefined;
}

function findClosingQuote(expr: string, start: number): number {
  const quote = expr[start];
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === '\\' && quote !== '`') i++;
    else if (expr[i] === quote) return i;
  }
  return -1;
}

function ruleErrors(rule: Rule, where: string): string[] {
  const errors: string[] = [];
  const has = (s: string | undefined): s is string => s !== undefined && s !== '';
  if (has(rule.record) === has(rule.alert))
    errors.push(`${where}: exactly one of record and alert must be set`);
  if (has(rule.record) && !METRIC_NAME.test(rule.record))
    errors.push(`${where}: invalid recording rule name ${JSON.stringify(rule.record)}`);
  if (
    has(rule.record) &&
    (rule.for !== undefined || rule.keep_firing_for !== undefined || rule.annotations !== undefined)
  ) {
    errors.push(`${where}: for, keep_firing_for and annotations apply to alerting rules only`);
  }
  for (const [field, value] of [
    ['for', rule.for],
    ['keep_firing_for', rule.keep_firing_for],
  ] as const) {
    if (value !== undefined && !DURATION.test(value))
      errors.push(`${where}: invalid ${field} duration ${JSON.stringify(value)}`);
  }
  for (const name of Object.keys(rule.labels ?? {})) {
    if (!LABEL_NAME.test(name)) errors.push(`${where}: invalid label name ${JSON.stringify(name)}`);
  }
  const problem = promqlLexicalError(String(rule.expr));
  if (problem !== undefined) errors.push(`${where}: expr: ${problem}`);
  return errors;
}

/**
 * Every problem found in `rule`, as human-readable messages naming the group
 * and rule; empty when the rule may be loaded.
 */
export function validatePrometheusRule(rule: PrometheusRule): string[] {
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const [gi, group] of (rule.spec.groups ?? []).entries()) {
    const where = `group ${JSON.stringify(group.name)}`;
    if (group.name === '') errors.push(`groups[${gi}]: name is empty`);
    if (seen.has(group.name)) errors.push(`${where}: repeated group name`);
    seen.add(group.name);
    for (const field of ['interval', 'query_offset'] as const) {
      const value = group[field];
      if (value !== undefined && !DURATION.test(value))
        errors.push(`${where}: invalid ${field} ${JSON.stringify(value)}`);
    }
    for (const [ri, r] of (group.rules ?? []).entries()) errors.push(...ruleErrors(r, `${where} rule ${ri}`));
  }
  return errors;
}
