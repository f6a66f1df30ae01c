// etcd release versions and the upgrade paths etcd supports: any patch, or
// one minor up at a time (3.5 -> 3.6, never 3.5 -> 3.7), never down. The CRD's
// CEL rules enforce the same on spec changes; the runbook checks again
// against what members actually run, because the spec may have been written
// before the cluster caught up.
//
// Two floors, both from etcd's own record:
// - MIN_ETCD_VERSION, 3.5.11: the member Pods' probes call /livez and /readyz,
//   which etcd added to the 3.5 line in v3.5.11 (CHANGELOG-3.5.md, "Add
//   livez/readyz HTTP endpoints", etcd-io/etcd#17039); older members would be
//   killed by their liveness probe. The CRD refuses lower versions.
// - MIN_PATCH_BEFORE_NEXT_MINOR: etcd's v3.5 -> v3.6 upgrade guide asks for
//   every 3.5 member to run 3.5.26 or later first (3.5.20 fixed learner
//   promotions not persisted to the v3 store, etcd-io/etcd#19563, the "too
//   many learner member" failure of etcd-io/etcd#19557; 3.5.24 to 3.5.26 fix
//   further upgrade blockers, e.g. etcd-io/etcd#20797 and #20995).

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

/** The oldest etcd the operator runs: its probes need /livez and /readyz (3.5.11+). */
export const MIN_ETCD_VERSION = '3.5.11';

/**
 * The patch a minor line must reach before a cluster moves to the next minor,
 * keyed by `X.Y` of the line being left (etcd's upgrade guide for 3.5 -> 3.6).
 */
export const MIN_PATCH_BEFORE_NEXT_MINOR: Readonly<Record<string, number>> = { '3.5': 26 };

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
  const minPatch = MIN_PATCH_BEFORE_NEXT_MINOR[`${a.major}.${a.minor}`];
  if (b.minor > a.minor && minPatch !== undefined && a.patch < minPatch) {
    const first = formatVersion({ ...a, patch: minPatch });
    return `spec.version ${to} cannot be reached from ${from}: etcd requires ${a.major}.${a.minor} members to run ${first} or later before moving to ${b.major}.${b.minor}; set spec.version to ${first} (or a later ${a.major}.${a.minor} patch) first, then to ${to}`;
  }
  return undefined;
}
