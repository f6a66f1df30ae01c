// etcd flags whose spelling depends on the member's version. etcd 3.6 renamed
// the `--experimental-*` flags of 3.5 (server/embed/config.go,
// experimentalFlagMigrationMap, v3.6.0): 3.6 accepts both spellings and warns
// about the old one; 3.7 removed the old ones (no `experimental-` flag is
// registered in server/embed/config.go of v3.7.1), so a member started with one
// refuses to start. 3.5 knows only the old spelling. The renderer names a flag
// by its 3.6 name and this file spells it for the version the Pod runs.
import { parseVersion } from '../api/version.js';

/**
 * The flags of etcd 3.6+ that 3.5 spells with `experimental-` (the
 * non-boolean ones and the peer SAN switch of etcd's migration map; the
 * boolean ones became `--feature-gates` entries and are not listed).
 */
const RENAMED_IN_36: ReadonlySet<string> = new Set([
  'compact-hash-check-time',
  'corrupt-check-time',
  'compaction-batch-limit',
  'watch-progress-notify-interval',
  'warning-apply-duration',
  'bootstrap-defrag-threshold-megabytes',
  'memory-mlock',
  'snapshot-catchup-entries',
  'compaction-sleep-interval',
  'downgrade-check-time',
  'peer-skip-client-san-verification',
  'enable-distributed-tracing',
  'distributed-tracing-address',
  'distributed-tracing-service-name',
  'distributed-tracing-instance-id',
  'distributed-tracing-sampling-rate',
]);

/** True for versions before 3.6 (which know only the `experimental-` spelling). */
function before36(version: string): boolean {
  const v = parseVersion(version);
  return v !== undefined && v.major === 3 && v.minor < 6;
}

/**
 * `--name=value` with the flag spelled for etcd `version`: a flag 3.6 renamed
 * gets its `experimental-` prefix back before 3.6.
 *
 * @example etcdFlag('peer-skip-client-san-verification', 'true', '3.5.21')
 * // '--experimental-peer-skip-client-san-verification=true'
 */
export function etcdFlag(name: string, value: string, version: string): string {
  const spelled = RENAMED_IN_36.has(name) && before36(version) ? `experimental-${name}` : name;
  return `--${spelled}=${value}`;
}
