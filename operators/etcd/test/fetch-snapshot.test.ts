// `etcd-operator fetch-snapshot` (src/s3/fetch-snapshot.ts), the init
// container of a seed restored from S3, against a real S3-compatible server
// (SeaweedFS from @switchboard/testing) on loopback: no cluster is needed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { objectStoreBinary, startObjectStore } from '@switchboard/testing';
import type { ObjectStore } from '@switchboard/testing';

import { FETCH_ENV, fetchSnapshot, runFetchSnapshot } from '../src/s3/fetch-snapshot.js';

function whyNoStore(): string | undefined {
  try {
    const weed = objectStoreBinary();
    return existsSync(weed) ? undefined : `SeaweedFS not built (${weed} missing)`;
  } catch (err) {
    return `SeaweedFS not built: ${err instanceof Error ? err.message : String(err)}`;
  }
}
const skipReason = whyNoStore();
if (skipReason) process.stderr.write(`fetch-snapshot tests skipped: ${skipReason}\n`);
const describeStore = skipReason ? describe.skip : describe;

const BUCKET = 'snapshots';
const KEY = 'e2e/ns/nightly/main-20261128-020000.db';
// Not a real snapshot: the command moves bytes and checks their sha256, nothing more.
const BODY = Buffer.alloc(3 * 1024 * 1024 + 17, 'etcd snapshot bytes ');
const SHA = createHash('sha256').update(BODY).digest('hex');

function lines(): { text: string[]; write(line: string): void } {
  const text: string[] = [];
  return { text, write: (line: string) => void text.push(line) };
}

describeStore('fetch-snapshot against a real S3 server', () => {
  let store: ObjectStore;
  let s3: S3Client;
  let dir: string;
  let n = 0;
  let file: string;

  beforeAll(async () => {
    store = await startObjectStore({ buckets: [BUCKET] });
    s3 = store.client();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: BODY }));
    dir = mkdtempSync(join(tmpdir(), 'fetch-snapshot-'));
  }, 120_000);
  afterAll(async () => {
    s3?.destroy();
    await store?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    file = join(dir, `snapshot-${++n}.db`);
  });

  const input = (over: Partial<Parameters<typeof fetchSnapshot>[0]> = {}) => ({
    endpoint: store.endpoint,
    bucket: BUCKET,
    region: store.region,
    forcePathStyle: true,
    key: KEY,
    sha256: SHA,
    file,
    credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
    ...over,
  });
  const env = (over: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
    [FETCH_ENV.endpoint]: store.endpoint,
    [FETCH_ENV.bucket]: BUCKET,
    [FETCH_ENV.region]: store.region,
    [FETCH_ENV.key]: KEY,
    [FETCH_ENV.sha256]: SHA,
    [FETCH_ENV.file]: file,
    [FETCH_ENV.accessKeyId]: store.accessKeyId,
    [FETCH_ENV.secretAccessKey]: store.secretAccessKey,
    ...over,
  });

  it('downloads the object, checks its sha256 and leaves no partial file', async () => {
    const result = await fetchSnapshot(input());
    expect(result).toEqual({ downloaded: true, bytes: BODY.length });
    expect(readFileSync(file).equals(BODY)).toBe(true);
    expect(existsSync(`${file}.part`)).toBe(false);
  });

  it('keeps a file that is already there with the right sha256 (a re-run downloads nothing)', async () => {
    writeFileSync(file, BODY);
    expect(await fetchSnapshot(input())).toEqual({ downloaded: false, bytes: 0 });
  });

  it('downloads again over a torn or different file, and over a stale partial download', async () => {
    writeFileSync(file, BODY.subarray(0, 1000));
    writeFileSync(`${file}.part`, 'left by an interrupted run');
    expect(await fetchSnapshot(input())).toEqual({ downloaded: true, bytes: BODY.length });
    expect(readFileSync(file).equals(BODY)).toBe(true);
    expect(existsSync(`${file}.part`)).toBe(false);
  });

  it('refuses an object whose sha256 is not the recorded one, keeping nothing', async () => {
    const wrong = 'e'.repeat(64);
    await expect(fetchSnapshot(input({ sha256: wrong }))).rejects.toThrow(
      `has sha256 ${SHA} (${BODY.length} bytes), but the backup recorded ${wrong}`,
    );
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.part`)).toBe(false);
  });

  it('names a missing object', async () => {
    await expect(fetchSnapshot(input({ key: 'e2e/ns/nightly/gone.db' }))).rejects.toThrow(
      `s3 object e2e/ns/nightly/gone.db in bucket ${BUCKET} at ${store.endpoint} does not exist`,
    );
    expect(existsSync(file)).toBe(false);
  });

  it('exits 0 with a line on success, through the environment the Pod gets', async () => {
    const out = lines();
    const err = lines();
    expect(await runFetchSnapshot(env(), out, err)).toBe(0);
    expect(err.text).toEqual([]);
    expect(out.text.join('')).toContain(`fetched ${KEY} (${BODY.length} bytes, sha256 verified)`);
    expect(readFileSync(file).equals(BODY)).toBe(true);
  });

  it('exits 1 naming the refused credentials, without printing them', async () => {
    const out = lines();
    const err = lines();
    const secret = 'not-the-secret-key-0123456789';
    expect(await runFetchSnapshot(env({ [FETCH_ENV.secretAccessKey]: secret }), out, err)).toBe(1);
    const text = err.text.join('');
    expect(text).toContain(`cannot download s3 object ${KEY}`);
    expect(text).toContain('refused the credentials');
    expect(text).not.toContain(secret);
    expect(existsSync(file)).toBe(false);
  });

  it('exits 1 naming an unreachable endpoint', async () => {
    const err = lines();
    expect(await runFetchSnapshot(env({ [FETCH_ENV.endpoint]: 'http://127.0.0.1:9' }), lines(), err)).toBe(1);
    expect(err.text.join('')).toContain('cannot reach http://127.0.0.1:9');
  });

  it('exits 1 naming the variables that are missing', async () => {
    const err = lines();
    expect(
      await runFetchSnapshot(
        env({ [FETCH_ENV.sha256]: undefined, [FETCH_ENV.accessKeyId]: '' }),
        lines(),
        err,
      ),
    ).toBe(1);
    expect(err.text.join('')).toBe(
      `fetch-snapshot: missing environment variables ${FETCH_ENV.sha256}, ${FETCH_ENV.accessKeyId}\n`,
    );
  });

  it('does nothing when the data folder it is told to look for exists (a restarted, restored seed)', async () => {
    const data = join(dir, `data-${n}`);
    mkdirSync(data);
    const out = lines();
    // No object, no credentials: nothing is asked of the store.
    expect(await runFetchSnapshot({ [FETCH_ENV.skipIfExists]: data }, out, lines())).toBe(0);
    expect(out.text.join('')).toContain(`data folder ${data} exists`);
    expect(existsSync(file)).toBe(false);
  });
});
