import { S3ServiceException } from '@aws-sdk/client-s3';

import { freePort } from '@switchboard/testing';

import { S3BackupError, checkBucket, classifyS3Error, s3Client } from './s3-store.js';

const E = 'http://127.0.0.1:9';
function service(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

describe('classifyS3Error', () => {
  it.each([
    [service('NoSuchBucket', 404), 'BucketNotFound'],
    [service('NotFound', 404), 'BucketNotFound'],
    [service('InvalidAccessKeyId', 403), 'AccessDenied'],
    [service('SignatureDoesNotMatch', 403), 'AccessDenied'],
    [service('Forbidden', 403), 'AccessDenied'],
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      'DestinationUnreachable',
    ],
    [
      Object.assign(new Error('getaddrinfo ENOTFOUND s3.invalid'), { code: 'ENOTFOUND' }),
      'DestinationUnreachable',
    ],
    [Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), 'DestinationUnreachable'],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'Timeout'],
    [service('InternalError', 500), 'UploadFailed'],
  ])('sorts an error into %#: its reason', (err, reason) => {
    const sorted = classifyS3Error(err, E, 'backups');
    expect(sorted).toBeInstanceOf(S3BackupError);
    expect(sorted.reason).toBe(reason);
    expect(sorted.cause).toBe(err);
  });

  it('names what to fix in the message, and passes its own errors through', () => {
    expect(classifyS3Error(service('NoSuchBucket', 404), E, 'backups').message).toContain('bucket backups');
    expect(classifyS3Error(service('InvalidAccessKeyId', 403), E, 'backups').message).toContain(
      'accessKeyID',
    );
    const own = new S3BackupError('SecretNotFound', 'Secret s3 not found');
    expect(classifyS3Error(own, E, 'backups')).toBe(own);
  });
});

describe('checkBucket', () => {
  it('reports a closed port as DestinationUnreachable, before any snapshot is read', async () => {
    const port = await freePort();
    const destination = {
      endpoint: `http://127.0.0.1:${port}`,
      bucket: 'backups',
      credentialsSecret: { name: 's' },
    };
    const s3 = s3Client(destination, { accessKeyId: 'a', secretAccessKey: 'b' });
    const err: unknown = await checkBucket(s3, destination).catch((e: unknown) => e);
    s3.destroy();
    expect(err).toBeInstanceOf(S3BackupError);
    expect(err).toMatchObject({ reason: 'DestinationUnreachable' });
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
  });
});
