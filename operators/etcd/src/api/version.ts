// etcd release versions and the upgrade paths etcd supports: any patch, or
// one minor up at a time (3.5 -> 3.6, never 3.5 -> 3.7), never down. The CRD's
// CEL rules enforce the same on spec changes; the runbook checks again
// against what members actually run, because the spec may have been written
// before the cluster caught up.

/** A parsed `X.Y.Z` etcd version. */
export interface EtcdVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/;

/** Parses `3.6.16` (or `v3.6.16`); undefined when it is not a release version. */
export function parseVersion(text: string): EtcdVersion | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b`. */
export function compareVersions(a: EtcdVersion, b: EtcdVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** `X.Y.Z` text of a version. */
export function formatVersion(v: EtcdVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** Why moving from one version to another is refused; undefined when it is allowed. */
export function upgradePathProblem(from: string, to: string): string | undefined {
  const a = parseVersion(from);
  const b = parseVersion(to);
  if (!a) return `current version ${JSON.stringify(from)} is not an X.Y.Z version`;
  if (!b) return `spec.version ${JSON.stringify(to)} is not an X.Y.Z version`;
  if (compareVersions(b, a) < 0)
    return `spec.version ${to} would downgrade from ${from}; downgrades are not supported`;
  if (b.major !== a.major || b.minor - a.minor > 1) {
    return `spec.version ${to} skips a minor version from ${from}; upgrade one minor version at a time`;
  }
  return undefined;
}
