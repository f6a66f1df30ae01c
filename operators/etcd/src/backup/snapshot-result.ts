// The measurements a snapshot Job leaves in its container's termination
// message (kube/snapshot-job.ts), turned into the record kept in status.
// Parsing is defensive: the message is data from a Pod, and a message that
// does not parse is a failed snapshot, never a half-filled record.
import type { EtcdSnapshotRecord } from '../api/backup-types.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a termination message is not a snapshot result. */
export class SnapshotResultError extends Error {
  override readonly name = 'SnapshotResultError';
  readonly reason = 'InvalidSnapshotResult';
}

/**
 * The snapshot record from a termination message. `folder` is the
 * destination folder, `member` the member it was read from.
 */
export function parseSnapshotResult(
  message: string,
  where: { folder: string; member?: string; completionTime: string },
): EtcdSnapshotRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    throw new SnapshotResultError(`snapshot result is not JSON: ${message.slice(0, 200)}`);
  }
  if (!isObject(raw)) throw new SnapshotResultError('snapshot result is not an object');
  const status = raw.status;
  if (!isObject(status))
    throw new SnapshotResultError('snapshot result has no `etcdutl snapshot status` output');
  const file = raw.file;
  const sha256 = raw.sha256;
  const size = raw.size;
  const revision = status.revision;
  if (typeof file !== 'string' || file === '' || file.includes('/'))
    throw new SnapshotResultError('snapshot result has no file name');
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256))
    throw new SnapshotResultError('snapshot result has no sha256');
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0)
    throw new SnapshotResultError('snapshot result has no size');
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1)
    throw new SnapshotResultError('snapshot result has no revision');
  const endpoint = Array.isArray(raw.endpointStatus) ? (raw.endpointStatus[0] as unknown) : undefined;
  const server = isObject(endpoint) && isObject(endpoint.Status) ? endpoint.Status.version : undefined;
  const totalKeys = status.totalKey;
  const startTime = raw.startTime;
  return {
    name: file,
    path: where.folder === '' ? file : `${where.folder}/${file}`,
    ...(typeof server === 'string' && server !== '' ? { etcdVersion: server } : {}),
    ...(typeof status.version === 'string' && status.version !== ''
      ? { storageVersion: status.version }
      : {}),
    revision,
    ...(typeof totalKeys === 'number' ? { totalKeys } : {}),
    size,
    sha256,
    ...(where.member ? { member: where.member } : {}),
    ...(typeof startTime === 'string' && startTime !== '' ? { startTime } : {}),
    completionTime: where.completionTime,
  };
}
