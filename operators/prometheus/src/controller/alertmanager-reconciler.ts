// Reconciling one Alertmanager. The runbook, one pass:
//  1. Read the Alertmanager; gone -> nothing to do (owner references let the
//     garbage collector remove what we made). Paused -> record it, stop.
//  2. Read the user's config Secret (`spec.configSecret`, default
//     `alertmanager-<name>`; key `alertmanager.yaml`, or gzipped
//     `alertmanager.yaml.gz`). Missing -> the built-in config that drops
//     every alert, as the reference does. Present but not a YAML mapping ->
//     report it and keep the running config (step 3 is skipped).
//  3. Apply the generated config Secret the pods mount; the reloader in each
//     pod sees the new file and calls /-/reload.
//  4. Apply the governing Service `alertmanager-operated` and the
//     StatefulSet (replicas gossip with each other through that Service).
//  5. Recompute status from the StatefulSet and write it.
// Safety: every write is a server-side apply of the full desired object, so a
// pass is idempotent and a crash between steps is repaired by the next pass.
import { gunzipSync } from 'node:zlib';
import type { Client, ObjectKey } from '@switchboard/core';
import { isNotFound } from '@switchboard/core';
import { parse } from 'yaml';
import type { Alertmanager } from '../api/index.js';
import {
  alertmanagerConfigSecret,
  alertmanagerGoverningService,
  alertmanagerStatefulSet,
  ALERTMANAGER_CONFIG_KEY,
  userConfigSecretName,
} from '../resources/alertmanager-objects.js';
import type { ImageSettings } from '../resources/images.js';
import type { Secret, StatefulSet } from '../resources/kube-types.js';
import { workloadStatus } from '../resources/workload-status.js';
import type { ReconcileResult } from '../resources/workload-status.js';
import { ALERTMANAGER, SECRET, SERVICE, STATEFUL_SET } from './monitoring-kinds.js';
import { applyGenerated } from './apply.js';

/** What the Alertmanager reconciler needs besides the request. */
export interface AlertmanagerReconcilerOptions {
  client: Client;
  images: ImageSettings;
  now?: () => Date;
}

/** The user's config, `undefined` when the Secret or its key is missing. */
type UserConfig = { ok: true; config: string | undefined } | { ok: false; message: string };

function userConfig(secret: Secret | undefined): UserConfig {
  const data = secret?.data ?? {};
  const plain = data[ALERTMANAGER_CONFIG_KEY];
  const gzipped = data[`${ALERTMANAGER_CONFIG_KEY}.gz`];
  let config: string | undefined;
  try {
    if (plain !== undefined) config = Buffer.from(plain, 'base64').toString('utf8');
    else if (gzipped !== undefined) config = gunzipSync(Buffer.from(gzipped, 'base64')).toString('utf8');
  } catch (err) {
    return {
      ok: false,
      message: `cannot gunzip ${ALERTMANAGER_CONFIG_KEY}.gz: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  if (config === undefined) return { ok: true, config };
  try {
    const doc: unknown = parse(config);
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
      return { ok: false, message: `${ALERTMANAGER_CONFIG_KEY} is not a YAML mapping` };
  } catch (err) {
    return {
      ok: false,
      message: `${ALERTMANAGER_CONFIG_KEY} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  return { ok: true, config };
}

/** Runs one reconcile pass for the Alertmanager named by `key`. */
export async function reconcileAlertmanager(
  key: ObjectKey,
  opts: AlertmanagerReconcilerOptions,
  signal: AbortSignal,
): Promise<ReconcileResult | undefined> {
  const { client } = opts;
  const req = { signal };
  const apply = applyGenerated(client, signal);

  // 1.
  let am: Alertmanager;
  try {
    am = await client.resource<Alertmanager>(ALERTMANAGER).get(key, req);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const namespace = am.metadata.namespace ?? '';
  if (am.spec.paused === true) {
    await client
      .resource<Alertmanager>(ALERTMANAGER)
      .status.patch(key, { type: 'merge', body: { status: { paused: true } } }, req);
    return { ok: true };
  }

  // 2.
  let secret: Secret | undefined;
  try {
    secret = await client.resource<Secret>(SECRET).get({ namespace, name: userConfigSecretName(am) }, req);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const user = userConfig(secret);
  let result: ReconcileResult = { ok: true };

  // 3.
  if (user.ok) await apply(alertmanagerConfigSecret(am, user.config));
  else
    result = {
      ok: false,
      reason: 'InvalidConfiguration',
      message: `Secret ${namespace}/${userConfigSecretName(am)}: ${user.message}`,
    };

  // 4.
  await apply(alertmanagerGoverningService(am), SERVICE);
  const sts = await apply<StatefulSet>(alertmanagerStatefulSet(am, opts.images), STATEFUL_SET);

  // 5.
  const status = workloadStatus({
    desired: am.spec.replicas ?? 1,
    generation: am.metadata.generation,
    paused: false,
    sts,
    result,
    previous: am.status?.conditions,
    now: opts.now?.() ?? new Date(),
  });
  await client
    .resource<Alertmanager>(ALERTMANAGER)
    .status.patch(key, { type: 'merge', body: { status } }, req);
  return result;
}
