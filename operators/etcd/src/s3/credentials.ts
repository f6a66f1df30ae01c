// The credentials of an S3 destination, read by the operator from the Secret
// the backup names (same namespace), every time they are needed: a rotated
// Secret is used by the next attempt, and the values never reach a Pod spec,
// status, an Event or a log line.
import type { Client } from '@switchboard/core';
import { isNotFound } from '@switchboard/core';

import type { Secret } from '../kube/kube-types.js';
import { SecretType } from '../kube/kube-types.js';
import type { S3Credentials } from './s3-store.js';
import {
  S3BackupError,
  SECRET_ACCESS_KEY_ID,
  SECRET_SECRET_ACCESS_KEY,
  SECRET_SESSION_TOKEN,
} from './s3-store.js';

/** The credentials in Secret `name`; throws S3BackupError (SecretNotFound, SecretInvalid). */
export async function readS3Credentials(
  client: Client,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<S3Credentials> {
  let secret: Secret;
  try {
    secret = await client.resource<Secret>(SecretType).get({ namespace, name }, signal ? { signal } : {});
  } catch (err) {
    if (isNotFound(err))
      throw new S3BackupError(
        'SecretNotFound',
        `Secret ${name} (spec.destination.s3.credentialsSecret.name) not found in namespace ${namespace}`,
      );
    throw err;
  }
  const value = (key: string): string | undefined => {
    const raw = secret.data?.[key];
    return raw === undefined ? undefined : Buffer.from(raw, 'base64').toString('utf8');
  };
  const accessKeyId = value(SECRET_ACCESS_KEY_ID);
  const secretAccessKey = value(SECRET_SECRET_ACCESS_KEY);
  if (!accessKeyId || !secretAccessKey)
    throw new S3BackupError(
      'SecretInvalid',
      `Secret ${name} must hold non-empty keys ${SECRET_ACCESS_KEY_ID} and ${SECRET_SECRET_ACCESS_KEY}`,
    );
  const sessionToken = value(SECRET_SESSION_TOKEN);
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
