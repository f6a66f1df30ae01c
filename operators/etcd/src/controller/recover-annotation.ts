// The `etcd.switchboard.dev/recover` annotation asks to recover from the
// quorum loss at hand (../runbook/recover.ts). The operator removes it once
// a recovery finished, or when a pass finds quorum there and no recovery in
// progress, so it never acts on a later loss by itself.
import type { Client, ObjectKey } from '@switchboard/core';

import { EtcdClusterResource } from '../api/crd.js';
import type { EtcdCluster } from '../api/types.js';
import { FIELD_MANAGER } from '../kube/labels.js';
import { RECOVER_ANNOTATION } from '../runbook/recover.js';

/** Removes the recover annotation from `cluster` (at `key`), if set. */
export async function removeRecoverAnnotation(
  ctx: { client: Client; signal?: AbortSignal },
  key: ObjectKey,
  cluster: EtcdCluster,
): Promise<void> {
  if (cluster.metadata.annotations?.[RECOVER_ANNOTATION] === undefined) return;
  await EtcdClusterResource.client(ctx.client).patch(
    key,
    { type: 'merge', body: { metadata: { annotations: { [RECOVER_ANNOTATION]: null } } } },
    { fieldManager: FIELD_MANAGER, ...(ctx.signal ? { signal: ctx.signal } : {}) },
  );
}
