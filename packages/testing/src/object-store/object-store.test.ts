// The object store fixture against the real `weed` binary: it answers signed
// S3 calls with its generated identity, refuses others, keeps what is put,
// and is gone after stop().
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import { isAlive } from '../control-plane/process.js';
import { MissingBinaryError } from '../control-plane/paths.js';
import { objectStoreBinary } from '../node/binaries.js';
import { startObjectStore } from './object-store.js';

function built(): boolean {
  try {
    objectStoreBinary();
    return true;
  } catch (err) {
    if (err instanceof MissingBinaryError) {
      process.stderr.write(`object store test skipped: ${err.message}\n`);
      return false;
    }
    throw err;
  }
}

const describeBuilt = built() ? describe : describe.skip;

describeBuilt('startObjectStore', () => {
  it('serves S3 on loopback with its own credentials and buckets, and stops cleanly', async () => {
    const started = Date.now();
    const store = await startObjectStore({ buckets: ['first', 'second'] });
    process.stderr.write(`object store ready in ${Date.now() - started} ms at ${store.endpoint}\n`);
    try {
      expect(store.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const s3 = store.client();
      await s3.send(
        new PutObjectCommand({ Bucket: 'second', Key: 'a/b.txt', Body: 'hello', Metadata: { sha256: 'x' } }),
      );
      const got = await s3.send(new GetObjectCommand({ Bucket: 'second', Key: 'a/b.txt' }));
      expect(await got.Body?.transformToString()).toBe('hello');
      expect(got.Metadata).toMatchObject({ sha256: 'x' });
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'first' }));
      expect(listed.Contents ?? []).toEqual([]);

      const stranger = new S3Client({
        endpoint: store.endpoint,
        region: store.region,
        forcePathStyle: true,
        credentials: { accessKeyId: store.accessKeyId, secretAccessKey: 'wrong-secret' },
      });
      await expect(stranger.send(new ListObjectsV2Command({ Bucket: 'first' }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 403 },
      });
      await expect(s3.send(new ListObjectsV2Command({ Bucket: 'missing' }))).rejects.toMatchObject({
        name: 'NoSuchBucket',
      });
      s3.destroy();
      stranger.destroy();
    } finally {
      await store.stop();
    }
    expect(isAlive(store.pid)).toBe(false);
  });
});
