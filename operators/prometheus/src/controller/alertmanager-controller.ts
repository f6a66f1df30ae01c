// Wires the Alertmanager reconciler into a core Manager with the builder: it
// reconciles Alertmanager objects, owns their StatefulSet and generated
// config Secret, and watches the user's config Secret (by name, as the spec
// refers to it) and the shared governing Service.
import type { Manager, ReconcileOutcome } from '@switchboard/core';
import {
  Outcome,
  annotationsChanged,
  generationChanged,
  labelsChanged,
  or,
  resourceVersionChanged,
} from '@switchboard/core';
import type { KubeObject, MapFunction } from '@switchboard/core';
import type { Alertmanager } from '../api/index.js';
import { userConfigSecretName } from '../resources/alertmanager-objects.js';
import { DEFAULT_IMAGES } from '../resources/images.js';
import type { ImageSettings } from '../resources/images.js';
import { governingServiceName } from '../resources/labels.js';
import { reconcileAlertmanager } from './alertmanager-reconciler.js';
import { ALERTMANAGER, SECRET, SERVICE, STATEFUL_SET } from './monitoring-kinds.js';
import { workloadsInNamespace } from './watch-mappings.js';

/** Name of the controller (metrics label, logs). */
export const ALERTMANAGER_CONTROLLER_NAME = 'alertmanager';

/** Options of {@link addAlertmanagerController}. */
export interface AlertmanagerControllerOptions {
  /** Images of the generated pods. Default {@link DEFAULT_IMAGES}. */
  images?: ImageSettings;
  /** Alertmanager objects reconciled at once (default 2). */
  maxConcurrentReconciles?: number;
  /** How often a converged Alertmanager is looked at again, in ms. Default 5 minutes. */
  resyncMs?: number;
}

/** The Alertmanagers whose user config Secret this is. */
function alertmanagersUsingSecret(alertmanagers: () => readonly Alertmanager[]): MapFunction<KubeObject> {
  return (secret) =>
    alertmanagers()
      .filter(
        (am) =>
          am.metadata.namespace === secret.metadata.namespace &&
          userConfigSecretName(am) === secret.metadata.name,
      )
      .map((am) => ({ namespace: am.metadata.namespace ?? '', name: am.metadata.name ?? '' }));
}

/**
 * Adds the Alertmanager controller to a manager.
 *
 * @example
 * ```ts
 * const manager = new Manager();
 * addAlertmanagerController(manager);
 * await manager.start(shutdownSignal());
 * ```
 */
export function addAlertmanagerController(manager: Manager, opts: AlertmanagerControllerOptions = {}): void {
  const images = opts.images ?? DEFAULT_IMAGES;
  const resyncMs = opts.resyncMs ?? 5 * 60_000;
  const store = manager.informers.informerFor<Alertmanager>(ALERTMANAGER).store;
  const alertmanagers = (): readonly Alertmanager[] => store.list();
  const specOrMeta = or(generationChanged, labelsChanged, annotationsChanged);
  manager
    .controller()
    .named(ALERTMANAGER_CONTROLLER_NAME)
    .for(ALERTMANAGER, { predicates: [specOrMeta] })
    .owns(STATEFUL_SET, { predicates: [resourceVersionChanged] })
    .owns(SECRET, { predicates: [resourceVersionChanged] })
    .watches(SECRET, alertmanagersUsingSecret(alertmanagers), { predicates: [resourceVersionChanged] })
    .watches(SERVICE, workloadsInNamespace(alertmanagers, governingServiceName('Alertmanager')), {
      predicates: [(ev) => ev.type === 'delete'],
    })
    .withOptions({ maxConcurrentReconciles: opts.maxConcurrentReconciles ?? 2 })
    .build(async (req, ctx): Promise<ReconcileOutcome> => {
      const key = { name: req.name, ...(req.namespace ? { namespace: req.namespace } : {}) };
      const result = await reconcileAlertmanager(key, { client: manager.client, images }, ctx.signal);
      if (result !== undefined && !result.ok)
        ctx.log.info('not fully reconciled', { reason: result.reason, message: result.message });
      return result === undefined ? Outcome.done() : Outcome.requeueAfter(resyncMs);
    });
}
