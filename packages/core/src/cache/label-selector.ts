// Label selectors evaluated locally, with the API server's string syntax:
// `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma = AND.

type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: Set<string> }
  | { op: 'exists' | 'notexists'; key: string };

/** A parsed label selector; `matches` tests one object's labels. */
export interface LabelSelector {
  /** Whether an object with these labels (none when undefined) is selected. */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

function parseTerm(term: string): Requirement {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (set) {
    const values = new Set(
      set[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    );
    return { op: set[2] as 'in' | 'notin', key: set[1]!, values };
  }
  const neq = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(term);
  if (neq) return { op: 'neq', key: neq[1]!, value: neq[2]! };
  const eq = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(term);
  if (eq) return { op: 'eq', key: eq[1]!, value: eq[2]! };
  const not = /^!\s*([^\s!=]+)$/.exec(term);
  if (not) return { op: 'notexists', key: not[1]! };
  if (/^[^\s!=(),]+$/.test(term)) return { op: 'exists', key: term };
  throw new TypeError(`invalid label selector term: ${JSON.stringify(term)}`);
}

function holds(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const v = Object.hasOwn(labels, r.key) ? labels[r.key] : undefined;
  switch (r.op) {
    case 'eq':
      return v === r.value;
    case 'neq':
      return v !== r.value;
    case 'in':
      return v !== undefined && r.values.has(v);
    case 'notin':
      return v === undefined || !r.values.has(v);
    case 'exists':
      return v !== undefined;
    case 'notexists':
      return v === undefined;
  }
}

/**
 * Parses a label selector string.
 *
 * @throws TypeError on a malformed term.
 */
export function parseLabelSelector(selector: string): LabelSelector {
  const requirements = splitTerms(selector).map(parseTerm);
  return { matches: (labels) => requirements.every((r) => holds(r, labels ?? {})) };
}
