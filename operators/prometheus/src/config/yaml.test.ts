import { parse } from 'yaml';
import { toYaml } from './yaml.js';

const TRICKY_STRINGS = [
  '',
  ' ',
  'true',
  'False',
  'yes',
  'no',
  'on',
  'off',
  'y',
  'N',
  'null',
  '~',
  '0',
  '9102',
  '-1',
  '+1',
  '.5',
  '1e3',
  '0x1f',
  '.inf',
  '.NaN',
  '1:20',
  '1_000',
  '2001-12-14',
  '<<',
  '=',
  '30s',
  '1h30m',
  '0.5s',
  '-',
  '- a',
  ':',
  'a:',
  'a: b',
  'a #b',
  'a#b',
  '#a',
  '&a',
  '*a',
  '!a',
  '|',
  '>',
  "'q'",
  '"q"',
  '%a',
  '@a',
  '`a',
  '[a]',
  '{a}',
  ',a',
  '?a',
  ' lead',
  'trail ',
  'multi\nline',
  'tab\there',
  'ünïcode',
  '$(POD_NAME)',
  '${1}',
  '(Failed|Succeeded)',
  'Node;(.*)',
  '(.+);true',
  'go_.*',
  'http://x:9090/a?b=c',
  '/etc/prometheus/rules/*.yaml',
  'serviceMonitor/a/b/0',
  'a\\b',
  'emoji 🙂',
  '\u0001',
];

describe('toYaml', () => {
  it.each(TRICKY_STRINGS)('round-trips the string %j as a value and as a key', (s) => {
    const value = { [s]: s, list: [s, { k: s }] };
    expect(parse(toYaml(value))).toEqual(value);
  });

  it('round-trips nested lists, maps, numbers, booleans and empty collections', () => {
    const value = {
      a: [[1, 2], [], {}, [{ b: [true, false, 0, -3.5] }]],
      c: { d: {}, e: [], f: { g: 'h' } },
      i: [{ j: 1, k: [{ l: 'm' }] }],
    };
    expect(parse(toYaml(value))).toEqual(value);
  });

  it('writes lists under a key without extra indentation, as kubectl does', () => {
    expect(toYaml({ scrape_configs: [{ job_name: 'a', relabel_configs: [{ action: 'keep' }] }] })).toBe(
      'scrape_configs:\n- job_name: a\n  relabel_configs:\n  - action: keep\n',
    );
  });

  it('leaves out undefined map entries', () => {
    expect(toYaml({ a: 1, b: undefined })).toBe('a: 1\n');
  });
});
