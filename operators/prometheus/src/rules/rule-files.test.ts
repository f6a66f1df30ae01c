import { expectGolden } from '../../test/support/golden.js';
import { loadGoldenCase } from '../../test/support/golden-inputs.js';
import type { PrometheusRule, Rule } from '../api/index.js';
import { buildRuleFiles, packRuleConfigMaps, ruleFileName } from './rule-files.js';
import { promqlLexicalError, validatePrometheusRule } from './rule-validation.js';

const ruleWith = (rules: Rule[], name = 'r'): PrometheusRule => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name, namespace: 'ns', uid: `uid-${name}` },
  spec: { groups: [{ name: 'g', rules }] },
});

describe('rule files', () => {
  it('renders a PrometheusRule as the golden rule file', () => {
    const [rule] = loadGoldenCase('rules', 'rules').rules;
    const out = buildRuleFiles([rule!]);
    expect(out.invalid).toEqual([]);
    expect(Object.keys(out.files)).toEqual(['monitoring-node-0b5e3c9a-0000-4000-8000-000000000001.yaml']);
    expectGolden('testdata/rules/rules.golden.yaml', out.files[ruleFileName(rule!)]!);
  });

  it('leaves out an invalid rule and keeps the valid ones', () => {
    const good = ruleWith([{ alert: 'A', expr: 'vector(1) > 0' }], 'good');
    const bad = ruleWith([{ alert: 'B', expr: 'sum(rate(x[5m])' }], 'bad');
    const out = buildRuleFiles([good, bad]);
    expect(Object.keys(out.files)).toEqual(['ns-good-uid-good.yaml']);
    expect(out.invalid).toEqual([
      { namespace: 'ns', name: 'bad', errors: ['group "g" rule 0: expr: unclosed "("'] },
    ]);
  });
});

describe('validatePrometheusRule', () => {
  it.each<[string, Rule, string]>([
    ['both record and alert', { record: 'a', alert: 'b', expr: '1' }, 'exactly one of record and alert'],
    ['neither record nor alert', { expr: '1' }, 'exactly one of record and alert'],
    ['a bad metric name', { record: 'bad-name', expr: '1' }, 'invalid recording rule name'],
    ['a bad duration', { alert: 'a', expr: '1', for: '5 minutes' }, 'invalid for duration'],
    ['a bad label name', { alert: 'a', expr: '1', labels: { 'bad-label': 'x' } }, 'invalid label name'],
    ['for on a recording rule', { record: 'a', expr: '1', for: '1m' }, 'alerting rules only'],
    ['an empty expr', { alert: 'a', expr: ' ' }, 'expression is empty'],
  ])('reports %s', (_what, rule, message) => {
    expect(validatePrometheusRule(ruleWith([rule])).join('\n')).toContain(message);
  });

  it('reports repeated group names', () => {
    const rule = ruleWith([]);
    rule.spec.groups = [{ name: 'g' }, { name: 'g' }];
    expect(validatePrometheusRule(rule)).toEqual(['group "g": repeated group name']);
  });
});

describe('promqlLexicalError', () => {
  it.each([
    'up',
    'sum by (job) (rate(x{a="(",b=~"[}"}[5m]))',
    "label_replace(up, 'a', '$1', 'b', '(.*)')",
    'up # comment (\n+ 1',
  ])('accepts %j', (expr) => {
    expect(promqlLexicalError(expr)).toBeUndefined();
  });
  it.each(['rate(x[5m]', 'x)', 'x{a="b}', 'x[5m}'])('rejects %j', (expr) => {
    expect(promqlLexicalError(expr)).toBeDefined();
  });
});

describe('packRuleConfigMaps', () => {
  it('packs files first-fit in name order under the size budget', () => {
    const files = { 'c.yaml': 'x'.repeat(40), 'a.yaml': 'x'.repeat(60), 'b.yaml': 'x'.repeat(50) };
    expect(
      packRuleConfigMaps('prometheus-main', files, 100).map((cm) => [cm.name, Object.keys(cm.data)]),
    ).toEqual([
      ['prometheus-main-rulefiles-0', ['a.yaml']],
      ['prometheus-main-rulefiles-1', ['b.yaml', 'c.yaml']],
    ]);
  });

  it('always yields one ConfigMap so the rules folder exists', () => {
    expect(packRuleConfigMaps('prometheus-main', {})).toEqual([
      { name: 'prometheus-main-rulefiles-0', data: {} },
    ]);
  });
});
