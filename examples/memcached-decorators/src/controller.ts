// The Memcached controller as a decorated class. The decorators record what
// the class declares and `buildDecoratedController` replays it as the same
// builder call that examples/memcached/src/controller.ts writes out by hand:
// reconcile Memcacheds (generation changes only), own their Deployments and
// Services, watch their pods. The reconcile itself is shared, unchanged.
import { generationChanged } from '@switchboard/core';
import { buildDecoratedController, Controller, Owns, Reconcile, Watches } from '@switchboard/core/decorators';
import type {
  Client,
  ControllerHost,
  ReconcileContext,
  ReconcileLoop,
  ReconcileOutcome,
  ReconcileRequest,
} from '@switchboard/core';
import {
  DeploymentType,
  MANAGED_BY_SELECTOR,
  MemcachedResource,
  PodType,
  ServiceType,
  memcachedOfPod,
  reconcileMemcached,
} from '@switchboard/example-memcached';

@Controller({ for: MemcachedResource, name: 'memcached', predicates: [generationChanged] })
@Owns(DeploymentType)
@Owns(ServiceType)
@Watches(PodType, memcachedOfPod, { labelSelector: MANAGED_BY_SELECTOR })
export class MemcachedController {
  constructor(private readonly client: Client) {}

  @Reconcile()
  reconcile(req: ReconcileRequest, ctx: ReconcileContext): Promise<ReconcileOutcome> {
    return reconcileMemcached(this.client, req, ctx);
  }
}

/** Adds the decorated Memcached controller to a manager (any ControllerHost). */
export function addMemcachedController(host: ControllerHost): ReconcileLoop {
  return buildDecoratedController(host, new MemcachedController(host.client));
}
