// The names a scaffold derives from what the user typed, checked once here so
// every template can trust them.
import { UsageError } from '../output.js';

/** The names of one API kind. */
export interface KindNames {
  /** `Webapp` */
  kind: string;
  /** `webapp`: file names, controller name */
  lower: string;
  /** `webapps` */
  plural: string;
  /** `Webapp` as a TS identifier for the resource definition: `WebappResource` */
  ident: string;
}

/** Checks a project name (an npm package name without scope). */
export function projectName(name: string | undefined): string {
  if (!name || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    throw new UsageError(
      `project name must be lower-case letters, digits and "-" (e.g. webapp-operator), got ${JSON.stringify(name ?? '')}`,
    );
  }
  return name;
}

/** Checks a kind (UpperCamelCase) and derives its names. */
export function kindNames(kind: string | undefined): KindNames {
  if (!kind || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    throw new UsageError(
      `kind must be UpperCamelCase letters and digits (e.g. Webapp), got ${JSON.stringify(kind ?? '')}`,
    );
  }
  const lower = kind.toLowerCase();
  const plural = /(s|x|z|ch|sh)$/.test(lower)
    ? `${lower}es`
    : /[^aeiou]y$/.test(lower)
      ? `${lower.slice(0, -1)}ies`
      : `${lower}s`;
  return { kind, lower, plural, ident: `${kind}Resource` };
}

/** The kind a project name suggests: `webapp-operator` -> `Webapp`. */
export function kindFromProject(name: string): string {
  const base = name.replace(/-operator$/, '') || name;
  return (
    base
      .split('-')
      .filter(Boolean)
      .map((p) => p[0]!.toUpperCase() + p.slice(1))
      .join('')
      .replace(/^[^A-Z]+/, '') || 'App'
  );
}
