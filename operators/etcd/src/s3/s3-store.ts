// The S3-compatible object store a backup writes to, through the AWS SDK for
// JavaScript v3: a client for one destination, the one place that sorts the
// SDK's errors into the reasons a backup reports, and the object operations
// the S3 snapshot needs (preflight, list, delete, abandon an upload).
//
// Why the reasons matter: a user sees them as the Succeeded condition's
// reason and as Warning Events, so each names what to fix (an address, the
// credentials, the bucket), never an SDK class name.
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';

import type { EtcdBackupS3Destination } from '../api/backup-types.js';

/** Why an S3 backup attempt failed. */
export type S3FailureReason =
  | 'DestinationUnreachable'
  | 'AccessDenied'
  | 'BucketNotFound'
  | 'SecretNotFound'
  | 'SecretInvalid'
  | 'Timeout'
  | 'SnapshotStreamFailed'
  | 'UploadFailed';

/** A failed S3 backup attempt, with the reason it reports. */
export class S3BackupError extends Error {
  constructor(
    readonly reason: S3FailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'S3BackupError';
  }
}

/** Keys the credentials Secret holds. */
export const SECRET_ACCESS_KEY_ID = 'accessKeyID';
/** Key of the secret access key in the credentials Secret. */
export const SECRET_SECRET_ACCESS_KEY = 'secretAccessKey';
/** Optional key of a session token in the credentials Secret. */
export const SECRET_SESSION_TOKEN = 'sessionToken';

/** Credentials read from the Secret. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** How long to wait for a TCP connection before calling the endpoint unreachable. */
export const S3_CONNECT_TIMEOUT_MS = 5000;

/** A client of one destination. */
export function s3Client(
  destination: Pick<EtcdBackupS3Destination, 'endpoint' | 'region' | 'forcePathStyle'>,
  credentials: S3Credentials,
): S3Client {
  return new S3Client({
    endpoint: destination.endpoint,
    region: destination.region ?? 'us-east-1',
    forcePathStyle: destination.forcePathStyle ?? true,
    credentials,
    // One retry for a dropped connection; a failed attempt is retried by the backup's own backoff.
    maxAttempts: 2,
    requestHandler: { connectionTimeout: S3_CONNECT_TIMEOUT_MS },
  });
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'TimeoutError',
  'RequestTimeout',
]);

/** The reason of an SDK error from a call to `endpoint` on `bucket`. */
export function classifyS3Error(err: unknown, endpoint: string, bucket: string): S3BackupError {
  if (err instanceof S3BackupError) return err;
  const e = (err ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? '';
  const text = e.message || name || String(err);
  if (name === 'AbortError')
    return new S3BackupError('Timeout', `the snapshot did not finish in time: ${text}`, { cause: err });
  if (name === 'NoSuchBucket' || (status === 404 && name !== 'NoSuchKey'))
    return new S3BackupError('BucketNotFound', `bucket ${bucket} does not exist at ${endpoint}`, {
      cause: err,
    });
  if (
    status === 401 ||
    status === 403 ||
    ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden'].includes(name)
  )
    return new S3BackupError(
      'AccessDenied',
      `${endpoint} refused the credentials for bucket ${bucket} (${name && name !== 'Unknown' ? name : `HTTP ${status}`}): check the Secret's ${SECRET_ACCESS_KEY_ID} and ${SECRET_SECRET_ACCESS_KEY}`,
      { cause: err },
    );
  // An error from another realm (a test's VM context) reaches us wrapped, its code only in the text.
  const code =
    e.code ??
    (e.cause as SdkError | undefined)?.code ??
    [...NETWORK_CODES].find((c) => text.includes(c)) ??
    name;
  if (status === undefined && (NETWORK_CODES.has(code) || NETWORK_CODES.has(name)))
    return new S3BackupError('DestinationUnreachable', `cannot reach ${endpoint} (${code}): ${text}`, {
      cause: err,
    });
  return new S3BackupError('UploadFailed', `${endpoint}, bucket ${bucket}: ${text}`, { cause: err });
}

/** Checks that the bucket exists and the credentials may use it, before any snapshot is read. */
export async function checkBucket(
  s3: S3Client,
  destination: EtcdBackupS3Destination,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await s3.send(
      new HeadBucketCommand({ Bucket: destination.bucket }),
      signal ? { abortSignal: signal } : {},
    );
  } catch (err) {
    throw classifyS3Error(err, destination.endpoint, destination.bucket);
  }
}

/** Every key under `prefix`. */
export async function listKeys(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
      signal ? { abortSignal: signal } : {},
    );
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

/** Deletes objects one by one (DeleteObjects needs Content-MD5, which not every server takes). */
export async function deleteKeys(
  s3: S3Client,
  bucket: string,
  keys: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  for (const key of keys)
    await s3.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: key }),
      signal ? { abortSignal: signal } : {},
    );
}

/**
 * Removes what an upload to `key` left behind: its unfinished multipart
 * uploads (aborted) and the object itself. Used for the `.part` key only.
 */
export async function abandonUpload(
  s3: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<void> {
  const call = signal ? { abortSignal: signal } : {};
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }), call);
  for (const u of uploads.Uploads ?? []) {
    if (u.Key === key && u.UploadId !== undefined)
      await s3.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: u.UploadId }),
        call,
      );
  }
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), call);
}
