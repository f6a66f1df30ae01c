// The example operator of the core integration tests: one ConfigMap per
// Gadget (a custom resource defined with defineResource), written with the
// builder, a finalizer, owner references and a status condition. Used
// in-process (controller.test.ts) and as a child process (manager-process.test.ts).
import {
  AlreadyExistsError,
  NotFoundError,
  Outcome,
  conditionsSchema,
  defineResource,
  generationChanged,
  patchStatusConditions,
  setControllerReference,
  withFinalizer,
} from '@switchboard/core';
import type {
  ApplyObject,
  BuilderOptions,
  Client,
  Condition,
  KubeObject,
  Manager,
  ReconcileContext,
} from '@switchboard/core';

export interface GadgetSpec {
  message: string;
}

/** The Gadget custom resource. */
export const Gadget = defineResource<GadgetSpec, { conditions?: Condition[] }>({
  group: 'core.test.switchboard.dev',
  version: 'v1',
  kind: 'Gadget',
  scope: 'Namespaced',
  spec: { type: 'object', required: ['message'], properties: { message: { type: 'string', minLength: 1 } } },
  status: { type: 'object', properties: { conditions: conditionsSchema } },
  printerColumns: [{ name: 'Message', type: 'string', jsonPath: '.spec.message' }],
});

export type GadgetObject =
  ReturnType<typeof Gadget.client> extends { get(...a: never[]): Promise<infer T> } ? T : never;

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}
export const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
export const FINALIZER = 'core.test.switchboard.dev/cleanup';
/** Annotation on the ConfigMap naming the manager that last wrote it. */
export const WRITTEN_BY = 'core.test.switchboard.dev/written-by';

/** Installs the Gadget CRD (idempotent) and waits until the API serves it. */
export async function installGadgetCrd(client: Client): Promise<void> {
  const crds = client.resource({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' });
  try {
    await crds.create(Gadget.crd());
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
  for (let i = 0; ; i++) {
    try {
      await Gadget.client(client).list({ limit: 1 });
      return;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Hooks the tests observe the operator through. */
export interface GadgetHooks {
  /** Who writes: stored in the ConfigMap's annotation. */
  identity: string;
  /** Called at the start of every apply pass; throw to fail the reconcile. */
  onApply?(gadget: GadgetObject, ctx: ReconcileContext): void;
  /** Called when the finalizer runs. */
  onCleanup?(gadget: GadgetObject): void;
  /** Work time inside each apply pass (for shutdown tests), ms. Not cut short by shutdown. */
  slowMs?: number;
  options?: BuilderOptions;
}

/** Wires the Gadget controller onto a manager. */
export function addGadgetController(manager: Manager, hooks: GadgetHooks): void {
  const gadgets = Gadget.client(manager.client);
  const configMaps = manager.client.resource<ConfigMap>(CONFIG_MAP);
  manager
    .controller()
    .named('gadget')
    .for(Gadget, { predicates: [generationChanged] })
    .owns(CONFIG_MAP)
    .withOptions({ maxConcurrentReconciles: 2, ...hooks.options })
    .build(async (req, ctx) => {
      let gadget: GadgetObject;
      try {
        gadget = await gadgets.get(req, { signal: ctx.signal });
      } catch (err) {
        if (err instanceof NotFoundError) return Outcome.done();
        throw err;
      }
      const outcome = await withFinalizer(gadgets, gadget, FINALIZER, {
        apply: async (g) => {
          ctx.log.info('reconcile-start');
          hooks.onApply?.(g, ctx);
          if (hooks.slowMs !== undefined) await new Promise((r) => setTimeout(r, hooks.slowMs));
          const cm: ConfigMap = setControllerReference(g, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              name: `${req.name}-config`,
              namespace: req.namespace,
              annotations: { [WRITTEN_BY]: hooks.identity },
            },
            data: { message: g.spec.message },
          });
          await configMaps.apply(cm as ApplyObject<ConfigMap>, {
            fieldManager: 'gadget-controller',
            force: true,
            signal: ctx.signal,
          });
          await patchStatusConditions(gadgets, req, [
            {
              type: 'Ready',
              status: 'True',
              reason: 'ConfigMapApplied',
              observedGeneration: g.metadata.generation,
            },
          ]);
          ctx.log.info('reconcile-end');
          return Outcome.done();
        },
        cleanup: (g) => {
          hooks.onCleanup?.(g);
          return Promise.resolve(Outcome.done());
        },
      });
      return outcome ?? Outcome.done();
    });
}

/**
 * Deletes every Gadget of a namespace, stripping finalizers first, so the
 * namespace can go even when no manager is left to run the cleanup.
 */
export async function removeAllGadgets(client: Client, namespace: string): Promise<void> {
  const gadgets = Gadget.client(client);
  const list = await gadgets.list({ namespace });
  for (const g of list.items) {
    const key = { namespace, name: g.metadata.name ?? '' };
    await gadgets
      .patch(key, { type: 'merge', body: { metadata: { finalizers: null } } })
      .catch(() => undefined);
    await gadgets.delete(key).catch(() => undefined);
  }
}
