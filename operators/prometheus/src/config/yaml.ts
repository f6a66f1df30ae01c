// One YAML rendering for everything this package writes (Prometheus config,
// rule files, CRDs), so that equal inputs give byte-equal output and an
// unchanged input never triggers a reload.
//
// A small emitter of our own rather than the `yaml` package's stringify: the
// values are plain data (strings, numbers, booleans, lists, maps), and for a
// 1,000-monitor config the general-purpose document model spent over half a
// second building and walking nodes. Strings that could be read as anything
// else are written double-quoted with JSON escapes, which YAML 1.2 and
// Prometheus's YAML parser both accept.

/** Words a YAML 1.1 parser (Prometheus uses one) reads as booleans or null. */
const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;
/**
 * Whole strings a YAML 1.1 or 1.2 parser reads as a number (decimal, hex,
 * octal, binary, sexagesimal `1:20`, `.inf`, `.nan`), a date, or a merge or
 * value key. Durations such as `30s` stay plain.
 */
const NON_STRING =
  /^(?:[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?(?:e[-+]?[0-9]+)?|\.[0-9][0-9_]*(?:e[-+]?[0-9]+)?|0x[0-9a-f_]+|0o[0-7_]+|0b[01_]+|\.inf|\.nan|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*|<<|=)$/i;
/** Characters that may not start a plain scalar. */
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
/** Printable ASCII without the sequences that end or comment a plain scalar. */
const PLAIN_BODY = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

function isPlain(s: string): boolean {
  return (
    s !== '' &&
    PLAIN_BODY.test(s) &&
    !INDICATOR_START.test(s) &&
    !RESERVED.test(s) &&
    !NON_STRING.test(s) &&
    !s.includes(': ') &&
    !s.includes(' #') &&
    !s.endsWith(':')
  );
}

// Configs repeat the same few hundred strings (meta label names, regexes)
// thousands of times; remembering their rendering for the length of one
// document cuts the time by a third.
type Memo = Map<string, string>;

function scalar(value: string | number | boolean | null | undefined, memo: Memo): string {
  if (typeof value === 'string') {
    let out = memo.get(value);
    if (out === undefined) {
      out = isPlain(value) ? value : JSON.stringify(value);
      memo.set(value, out);
    }
    return out;
  }
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : value > 0 ? '.inf' : value < 0 ? '-.inf' : '.nan';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return 'null';
}

function isCollection(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function emit(value: unknown, indent: string, out: string[], memo: Memo): void {
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      if (isCollection(item) && !isEmpty(item)) {
        // The first line of a nested block shares the line with "- ".
        const inner: string[] = [];
        emit(item, `${indent}  `, inner, memo);
        out.push(`${indent}- ${inner[0]!.slice(indent.length + 2)}`, ...inner.slice(1));
      } else {
        out.push(`${indent}- ${inline(item, memo)}`);
      }
    }
    return;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) continue;
    const k = scalar(key, memo);
    if (isCollection(item) && !isEmpty(item)) {
      out.push(`${indent}${k}:`);
      // Lists under a key are not indented further (Go yaml.v2's and kubectl's style).
      emit(item, Array.isArray(item) ? indent : `${indent}  `, out, memo);
    } else {
      out.push(`${indent}${k}: ${inline(item, memo)}`);
    }
  }
}

function inline(value: unknown, memo: Memo): string {
  if (Array.isArray(value)) return '[]';
  if (isCollection(value)) return '{}';
  return scalar(value as string | number | boolean | null | undefined, memo);
}

/**
 * Renders plain data as block YAML: keys in insertion order, no anchors, no
 * folding, `undefined` map entries left out.
 *
 * @example
 * ```ts
 * toYaml({ global: { scrape_interval: '30s' } }); // "global:\n  scrape_interval: 30s\n"
 * ```
 */
export function toYaml(value: unknown): string {
  const memo: Memo = new Map();
  if (!isCollection(value)) return `${scalar(value as string, memo)}\n`;
  if (isEmpty(value)) return `${inline(value, memo)}\n`;
  const out: string[] = [];
  emit(value, '', out, memo);
  return `${out.join('\n')}\n`;
}
