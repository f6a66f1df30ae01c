// A real S3-compatible object store for tests: SeaweedFS's `weed mini` (the
// all-in-one master, volume server, filer and S3 gateway), built from its Go
// module by packages/cli/setup/50-seaweedfs.sh. MinIO's server would do too, but
// its AGPL licence keeps it out of the test suite; SeaweedFS is Apache-2.0.
//
// Every start is its own: free loopback ports, a fresh temporary folder, one
// S3 identity with a generated access key, and the buckets asked for, created
// through the S3 API itself (which is also how readiness is proven).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type * as AwsS3 from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';

import { freePort } from '../control-plane/ports.js';
import { logTail, startProcess, stopPid } from '../control-plane/process.js';
import { eventually } from '../eventually.js';
import { objectStoreBinary } from '../node/binaries.js';

/**
 * The AWS SDK's S3 client, loaded on first use: an optional peer dependency,
 * so installing @switchboard/testing (or the CLI, which needs it) does not
 * pull the SDK in for users who never start an object store.
 */
async function awsSdk(): Promise<typeof AwsS3> {
  try {
    return await import('@aws-sdk/client-s3');
  } catch (err) {
    throw new Error(
      'startObjectStore needs @aws-sdk/client-s3, an optional peer dependency of @switchboard/testing: ' +
        'npm install --save-dev @aws-sdk/client-s3',
      { cause: err },
    );
  }
}

/** Options of {@link startObjectStore}. */
export interface ObjectStoreOptions {
  /** Buckets to create before returning. Default none. */
  buckets?: readonly string[];
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** How long to wait for the S3 API, ms. Default 60 000. */
  readyTimeoutMs?: number;
}

/** A running object store. */
export interface ObjectStore {
  /** `http://<host>:<port>` of the S3 API. */
  readonly endpoint: string;
  /** Region to sign with (any name is accepted). */
  readonly region: string;
  /** The one identity's access key (allowed everything). */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Process id of `weed`. */
  readonly pid: number;
  /** Its log, for failure messages. */
  readonly logFile: string;
  /** A client of this store with its credentials (path-style). */
  client(): S3Client;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

/** The S3 identity file `weed -s3.config` reads. */
function identities(accessKey: string, secretKey: string): string {
  return JSON.stringify({
    identities: [
      {
        name: 'switchboard-test',
        credentials: [{ accessKey, secretKey }],
        actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'],
      },
    ],
  });
}

/**
 * Starts SeaweedFS with its S3 API on free ports of `host` and waits until
 * the API answers signed requests. Throws MissingBinaryError when the
 * bootstrap has not built `weed`.
 *
 * @example
 * ```ts
 * const store = await startObjectStore({ buckets: ['backups'] });
 * try {
 *   const s3 = store.client();
 *   await s3.send(new ListObjectsV2Command({ Bucket: 'backups' }));
 * } finally {
 *   await store.stop();
 * }
 * ```
 */
export async function startObjectStore(opts: ObjectStoreOptions = {}): Promise<ObjectStore> {
  const { CreateBucketCommand, S3Client } = await awsSdk();
  const weed = objectStoreBinary();
  const host = opts.host ?? '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-s3-'));
  const accessKeyId = `SB${randomBytes(9).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const config = join(dir, 's3.json');
  await writeFile(config, identities(accessKeyId, secretAccessKey), { mode: 0o600 });
  const port = async (): Promise<string> => String(await freePort(host));
  const [s3, master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3Grpc] = await Promise.all(
    Array.from({ length: 8 }, port),
  );
  const logFile = join(dir, 'weed.log');
  const proc = startProcess({
    name: 'weed',
    command: weed,
    logFile,
    cwd: dir,
    args: [
      'mini',
      `-dir=${dir}`,
      `-ip=${host}`,
      `-ip.bind=${host}`,
      `-s3.port=${s3}`,
      `-s3.port.grpc=${s3Grpc}`,
      '-s3.port.iceberg=0',
      '-s3.port.lance=0',
      `-s3.config=${config}`,
      `-master.port=${master}`,
      `-master.port.grpc=${masterGrpc}`,
      '-master.telemetry=false',
      `-volume.port=${volume}`,
      `-volume.port.grpc=${volumeGrpc}`,
      `-filer.port=${filer}`,
      `-filer.port.grpc=${filerGrpc}`,
      '-webdav=false',
      '-admin.ui=false',
    ],
  });
  const endpoint = `http://${host}:${s3}`;
  const client = (): S3Client =>
    new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
    });
  const stop = async (): Promise<void> => {
    await stopPid(proc.pid);
    await rm(dir, { recursive: true, force: true });
  };
  const s3Client = client();
  try {
    const buckets = opts.buckets ?? [];
    await eventually(
      async () => {
        if (proc.hasExited()) throw new Error(`weed exited:\n${logTail(logFile)}`);
        // A signed call that needs the filer behind the gateway: proves the whole store is up.
        for (const bucket of buckets) {
          try {
            await s3Client.send(new CreateBucketCommand({ Bucket: bucket }), {
              abortSignal: AbortSignal.timeout(5000),
            });
          } catch (err) {
            const name = (err as { name?: string }).name;
            if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
          }
        }
        if (buckets.length === 0) {
          const res = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(5000) });
          if (res.status >= 500) throw new Error(`S3 API answered ${res.status}`);
        }
      },
      {
        timeout: opts.readyTimeoutMs ?? 60_000,
        interval: 500,
        message: `SeaweedFS S3 API at ${endpoint} (log ${logFile})`,
      },
    );
  } catch (err) {
    const tail = logTail(logFile, 30);
    s3Client.destroy();
    await stop();
    throw new Error(
      `object store did not start: ${err instanceof Error ? err.message : String(err)}\n${tail}`,
      {
        cause: err,
      },
    );
  }
  // Its keep-alive sockets would outlive the readiness check.
  s3Client.destroy();
  return {
    endpoint,
    region: 'us-east-1',
    accessKeyId,
    secretAccessKey,
    pid: proc.pid,
    logFile,
    client,
    stop,
  };
}
