// `etcd-operator fetch-snapshot`: the init container that brings an S3
// snapshot into a restored seed member's Pod (../kube/restore-init.ts). It
// runs from the operator's own image, because the etcd image has no client
// that can sign S3 requests. Everything comes from environment variables: the
// object and its sha256 as plain values, the credentials through secretKeyRef
// from the backup's Secret, so no credential is ever written in the Pod spec.
//
// Safe to run again: a file already in place whose sha256 matches is kept;
// a missing, torn or different file is downloaded again, to a `.part` name
// renamed into place only once its sha256 matches.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { GetObjectCommand } from '@aws-sdk/client-s3';

import type { S3Credentials } from './s3-store.js';
import { classifyS3Error, s3Client } from './s3-store.js';

/** Environment variables the command reads. */
export const FETCH_ENV = {
  endpoint: 'SNAPSHOT_S3_ENDPOINT',
  bucket: 'SNAPSHOT_S3_BUCKET',
  region: 'SNAPSHOT_S3_REGION',
  forcePathStyle: 'SNAPSHOT_S3_FORCE_PATH_STYLE',
  key: 'SNAPSHOT_S3_KEY',
  sha256: 'SNAPSHOT_SHA256',
  file: 'SNAPSHOT_FILE',
  skipIfExists: 'SNAPSHOT_SKIP_IF_EXISTS',
  accessKeyId: 'AWS_ACCESS_KEY_ID',
  secretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  sessionToken: 'AWS_SESSION_TOKEN',
} as const;

/** What to download, where to, and the sha256 it must have. */
export interface FetchSnapshotInput {
  endpoint: string;
  bucket: string;
  region?: string;
  forcePathStyle?: boolean;
  key: string;
  /** Hex sha256 the backup recorded for the object. */
  sha256: string;
  /** Local file to write. */
  file: string;
  credentials: S3Credentials;
  signal?: AbortSignal;
}

/** What {@link fetchSnapshot} did. */
export interface FetchSnapshotResult {
  /** False when a matching file was already there. */
  downloaded: boolean;
  bytes: number;
}

/** A snapshot that could not be fetched or did not match; its message says which and why. */
export class FetchSnapshotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FetchSnapshotError';
  }
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Downloads `key` to `file` unless a file with the right sha256 is there; throws FetchSnapshotError. */
export async function fetchSnapshot(input: FetchSnapshotInput): Promise<FetchSnapshotResult> {
  const want = input.sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(want))
    throw new FetchSnapshotError(`the expected sha256 "${input.sha256}" is not 64 hex digits`);
  if (existsSync(input.file)) {
    if ((await fileSha256(input.file)) === want) return { downloaded: false, bytes: 0 };
    await rm(input.file, { force: true });
  }
  const part = `${input.file}.part`;
  await rm(part, { force: true });
  const s3 = s3Client(input, input.credentials);
  const where = `s3 object ${input.key} in bucket ${input.bucket} at ${input.endpoint}`;
  let body: Readable;
  try {
    const out = await s3.send(
      new GetObjectCommand({ Bucket: input.bucket, Key: input.key }),
      input.signal ? { abortSignal: input.signal } : {},
    );
    body = out.Body as Readable;
  } catch (err) {
    s3.destroy();
    const name = (err as { name?: string }).name;
    if (name === 'NoSuchKey')
      throw new FetchSnapshotError(`${where} does not exist (deleted by retention or by hand?)`, {
        cause: err,
      });
    throw new FetchSnapshotError(
      `cannot download ${where}: ${classifyS3Error(err, input.endpoint, input.bucket).message}`,
      { cause: err },
    );
  }
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      body,
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        },
      }),
      createWriteStream(part),
      input.signal ? { signal: input.signal } : {},
    );
  } catch (err) {
    await rm(part, { force: true });
    throw new FetchSnapshotError(`download of ${where} broke off after ${bytes} bytes: ${String(err)}`, {
      cause: err,
    });
  } finally {
    s3.destroy();
  }
  const got = hash.digest('hex');
  if (got !== want) {
    await rm(part, { force: true });
    throw new FetchSnapshotError(
      `${where} has sha256 ${got} (${bytes} bytes), but the backup recorded ${want}: the object changed or is torn; not restoring from it`,
    );
  }
  await rename(part, input.file);
  return { downloaded: true, bytes };
}

/**
 * The command: reads {@link FETCH_ENV} from `env`, fetches, and returns the
 * exit code (0 fetched or already there, or skipped because the data folder
 * named by SNAPSHOT_SKIP_IF_EXISTS exists; 1 otherwise, with the reason on `err`).
 */
export async function runFetchSnapshot(
  env: Record<string, string | undefined>,
  out: { write(line: string): unknown } = process.stdout,
  err: { write(line: string): unknown } = process.stderr,
): Promise<number> {
  const skip = env[FETCH_ENV.skipIfExists];
  if (skip && existsSync(skip)) {
    out.write(`data folder ${skip} exists; nothing to fetch\n`);
    return 0;
  }
  const required = [
    FETCH_ENV.endpoint,
    FETCH_ENV.bucket,
    FETCH_ENV.key,
    FETCH_ENV.sha256,
    FETCH_ENV.file,
    FETCH_ENV.accessKeyId,
    FETCH_ENV.secretAccessKey,
  ];
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    err.write(`fetch-snapshot: missing environment variables ${missing.join(', ')}\n`);
    return 1;
  }
  const value = (name: string): string => env[name] ?? '';
  const region = env[FETCH_ENV.region];
  const pathStyle = env[FETCH_ENV.forcePathStyle];
  const sessionToken = env[FETCH_ENV.sessionToken];
  try {
    const started = Date.now();
    const result = await fetchSnapshot({
      endpoint: value(FETCH_ENV.endpoint),
      bucket: value(FETCH_ENV.bucket),
      key: value(FETCH_ENV.key),
      sha256: value(FETCH_ENV.sha256),
      file: value(FETCH_ENV.file),
      ...(region ? { region } : {}),
      ...(pathStyle ? { forcePathStyle: pathStyle !== 'false' } : {}),
      credentials: {
        accessKeyId: value(FETCH_ENV.accessKeyId),
        secretAccessKey: value(FETCH_ENV.secretAccessKey),
        ...(sessionToken ? { sessionToken } : {}),
      },
    });
    out.write(
      result.downloaded
        ? `fetched ${value(FETCH_ENV.key)} (${result.bytes} bytes, sha256 verified) in ${Date.now() - started} ms\n`
        : `${value(FETCH_ENV.file)} is already there with the recorded sha256\n`,
    );
    return 0;
  } catch (e) {
    err.write(`fetch-snapshot: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
