// One S3 snapshot, taken by the operator itself (as coreos/etcd-operator's
// backup operator did), once the pass has written the object key to status:
//
//   1. read the credentials Secret and check the bucket (HeadBucket): a wrong
//      address, wrong credentials or a missing bucket fail here, before the
//      cluster is asked for anything
//   2. remove what an earlier, interrupted upload of this key left behind
//   3. the member's status: its server version and the revision it has
//      applied (the snapshot holds at least that revision)
//   4. stream Maintenance.Snapshot from that one member through etcd's HTTP
//      gateway into a multipart upload of `<key>.part`, hashing on the way;
//      the member's own trailing sha256 is checked before the last chunk
//   5. server-side copy `<key>.part` -> `<key>` with the sha256 as object
//      metadata, verify size and metadata with HeadObject, delete the .part:
//      an object under a snapshot name is always complete and verified
//
// Everything runs under one AbortSignal bounded by spec.timeoutSeconds, so a
// stuck member or server cannot hold the reconcile (and its worker) forever.
// Reading a snapshot never changes the cluster.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import { CopyObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Client } from '@switchboard/core';

import type { EtcdBackupS3Destination, EtcdSnapshotRecord } from '../api/backup-types.js';
import type { BackupStep } from '../backup/decide.js';
import { partKey, s3KeysToDelete } from '../backup/s3-keys.js';
import type { EtcdClientFactory } from '../etcd/etcd-client.js';
import { EtcdRequestError } from '../etcd/etcd-client.js';
import { readS3Credentials } from '../s3/credentials.js';
import {
  S3BackupError,
  abandonUpload,
  checkBucket,
  classifyS3Error,
  deleteKeys,
  listKeys,
  s3Client,
} from '../s3/s3-store.js';

/** Size of one multipart part (the S3 minimum is 5 MiB). */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;
/** Object metadata key holding the snapshot's sha256 (sent as `x-amz-meta-sha256`). */
export const SHA256_METADATA = 'sha256';

/** What an S3 snapshot needs from around it. */
export interface S3SnapshotContext {
  client: Client;
  etcd: EtcdClientFactory;
  namespace: string;
  cluster: string;
  destination: EtcdBackupS3Destination;
  now: () => Date;
  /** Already bounded by the backup's timeout. */
  signal: AbortSignal;
}

type UploadStep = Extract<BackupStep, { kind: 'UploadSnapshot' }>;

/** Opens the destination: credentials from the Secret, then a bucket check. */
export async function openDestination(ctx: S3SnapshotContext): Promise<S3Client> {
  const credentials = await readS3Credentials(
    ctx.client,
    ctx.namespace,
    ctx.destination.credentialsSecret.name,
    ctx.signal,
  );
  const s3 = s3Client(ctx.destination, credentials);
  await checkBucket(s3, ctx.destination, ctx.signal);
  return s3;
}

/** Why the signal stopped a snapshot: its deadline, or the operator stopping. */
function stoppedMessage(signal: AbortSignal, step: UploadStep): string {
  const reason = signal.reason as { name?: string } | undefined;
  return reason?.name === 'TimeoutError'
    ? `the snapshot did not finish within spec.timeoutSeconds (${step.timeoutSeconds} s)`
    : `the snapshot was stopped before it finished (${String(signal.reason)})`;
}

/** Streams the member's snapshot into `key`; resolves with its measurements. */
async function streamToObject(
  ctx: S3SnapshotContext,
  s3: S3Client,
  step: UploadStep,
): Promise<{ size: number; sha256: string }> {
  const etcd = ctx.etcd(step.endpoint);
  const hash = createHash('sha256');
  let size = 0;
  let streamError: unknown;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of etcd.snapshot({ signal: ctx.signal })) {
        hash.update(chunk);
        size += chunk.byteLength;
        yield chunk;
      }
    } catch (err) {
      streamError = err;
      throw err;
    }
  }
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: ctx.destination.bucket,
      Key: partKey(step.key),
      Body: Readable.from(chunks()),
      ContentType: 'application/octet-stream',
    },
    partSize: UPLOAD_PART_BYTES,
    queueSize: 2,
    leavePartsOnError: false,
  });
  const onAbort = (): void => void upload.abort().catch(() => undefined);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await upload.done();
  } catch (err) {
    if (streamError instanceof EtcdRequestError)
      throw new S3BackupError(
        ctx.signal.aborted ? 'Timeout' : 'SnapshotStreamFailed',
        `reading the snapshot from member ${step.member} failed: ${streamError.message}`,
        { cause: streamError },
      );
    if (ctx.signal.aborted)
      throw new S3BackupError('Timeout', stoppedMessage(ctx.signal, step), { cause: err });
    throw classifyS3Error(err, ctx.destination.endpoint, ctx.destination.bucket);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  return { size, sha256: hash.digest('hex') };
}

/** Gives the complete `.part` its final name and metadata, and checks the result. */
async function publish(
  ctx: S3SnapshotContext,
  s3: S3Client,
  step: UploadStep,
  measured: { size: number; sha256: string },
  metadata: Record<string, string>,
): Promise<void> {
  const bucket = ctx.destination.bucket;
  const call = { abortSignal: ctx.signal };
  const source = `${bucket}/${partKey(step.key).split('/').map(encodeURIComponent).join('/')}`;
  await s3.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: step.key,
      CopySource: source,
      MetadataDirective: 'REPLACE',
      ContentType: 'application/octet-stream',
      Metadata: { ...metadata, [SHA256_METADATA]: measured.sha256 },
    }),
    call,
  );
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: step.key }), call);
  if (head.ContentLength !== measured.size || head.Metadata?.[SHA256_METADATA] !== measured.sha256) {
    throw new S3BackupError(
      'UploadFailed',
      `${step.key} does not match what was uploaded: ${head.ContentLength ?? '?'} bytes, sha256 ${head.Metadata?.[SHA256_METADATA] ?? 'missing'}; expected ${measured.size} bytes, sha256 ${measured.sha256}`,
    );
  }
  await deleteKeys(s3, bucket, [partKey(step.key)], ctx.signal);
}

/**
 * Takes one S3 snapshot (steps 1-5 above) and returns its record. Throws
 * {@link S3BackupError} with the reason the attempt reports.
 */
export async function takeS3Snapshot(ctx: S3SnapshotContext, step: UploadStep): Promise<EtcdSnapshotRecord> {
  const s3 = await openDestination(ctx);
  try {
    const startTime = ctx.now().toISOString();
    try {
      await abandonUpload(s3, ctx.destination.bucket, partKey(step.key), ctx.signal);
    } catch (err) {
      throw classifyS3Error(err, ctx.destination.endpoint, ctx.destination.bucket);
    }
    let status;
    try {
      status = await ctx.etcd(step.endpoint).status({ signal: ctx.signal });
    } catch (err) {
      throw new S3BackupError(
        'SnapshotStreamFailed',
        `member ${step.member} did not answer its status: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    const revision = Number(status.revision ?? 0n);
    if (revision < 1)
      throw new S3BackupError('SnapshotStreamFailed', `member ${step.member} reported no keyspace revision`);
    const measured = await streamToObject(ctx, s3, step);
    try {
      await publish(ctx, s3, step, measured, {
        revision: String(revision),
        'etcd-version': status.version,
        cluster: ctx.cluster,
        member: step.member,
      });
    } catch (err) {
      throw classifyS3Error(err, ctx.destination.endpoint, ctx.destination.bucket);
    }
    return {
      name: step.name,
      path: step.key,
      etcdVersion: status.version,
      revision,
      size: measured.size,
      sha256: measured.sha256,
      member: step.member,
      startTime,
      completionTime: ctx.now().toISOString(),
    };
  } catch (err) {
    // A failed attempt leaves no .part behind (the next one has another key). Best effort,
    // on a signal of its own: the attempt's may be the one that ran out.
    await abandonUpload(s3, ctx.destination.bucket, partKey(step.key), AbortSignal.timeout(10_000)).catch(
      () => undefined,
    );
    throw err;
  } finally {
    s3.destroy();
  }
}

/**
 * Retention after a verified snapshot: lists the backup's folder and deletes
 * the oldest of its snapshots beyond maxBackups. Returns the deleted keys.
 */
export async function pruneS3Snapshots(ctx: S3SnapshotContext, step: UploadStep): Promise<string[]> {
  const s3 = await openDestination(ctx);
  try {
    const bucket = ctx.destination.bucket;
    const listed = await listKeys(s3, bucket, step.folder, ctx.signal);
    const doomed = s3KeysToDelete(listed, step.folder, ctx.cluster, step.key, step.maxBackups);
    await deleteKeys(s3, bucket, doomed, ctx.signal);
    return doomed;
  } catch (err) {
    throw classifyS3Error(err, ctx.destination.endpoint, ctx.destination.bucket);
  } finally {
    s3.destroy();
  }
}

/** Removes an interrupted upload's `.part` (best effort is the caller's choice). */
export async function discardS3Upload(ctx: S3SnapshotContext, key: string): Promise<void> {
  const s3 = await openDestination(ctx);
  try {
    await abandonUpload(s3, ctx.destination.bucket, partKey(key), ctx.signal);
  } catch (err) {
    throw classifyS3Error(err, ctx.destination.endpoint, ctx.destination.bucket);
  } finally {
    s3.destroy();
  }
}
