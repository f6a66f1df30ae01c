// Finds out what an operator's controllers watch, own and reconcile by
// running its `controllers(host)` against a host that records instead of
// connecting: informers are never started and every HTTP call is refused.
// The builder is the one way controllers are wired (decorators replay onto
// it), so recording its for/owns/watches calls sees every controller.
import type {
  ControllerHost,
  EventSourceInformer,
  KubeObject,
  ReconcileLoop,
  TypeMeta,
} from '@switchboard/core';
import { Client, ControllerBuilder } from '@switchboard/core';

import { UsageError } from '../output.js';
import type { OperatorDescription } from './operator-module.js';

/** What the controllers of an operator declared. */
export interface RecordedControllers {
  /** Kinds reconciled (`for`). */
  reconciled: TypeMeta[];
  /** Kinds created and owned (`owns`). */
  owned: TypeMeta[];
  /** Kinds only watched (`watches`). */
  watched: TypeMeta[];
  /** Every kind a typed client was made for while wiring (e.g. events by an EventRecorder). */
  clients: TypeMeta[];
}

const refuse = (): Promise<never> =>
  Promise.reject(new Error('switchboard rbac records the controllers; it never calls the API server'));

type WatchMethod = 'for' | 'owns' | 'watches';

/** Runs `op.controllers` against a recording host. */
export function recordControllers(op: OperatorDescription): RecordedControllers {
  const recorded: RecordedControllers = { reconciled: [], owned: [], watched: [], clients: [] };
  const client = new Client({ request: refuse, stream: refuse });
  const makeResource = client.resource.bind(client);
  client.resource = <T extends KubeObject>(type: TypeMeta) => {
    recorded.clients.push({ apiVersion: type.apiVersion, kind: type.kind });
    return makeResource<T>(type);
  };
  const informed: TypeMeta[] = [];
  const host: ControllerHost & { controller(): ControllerBuilder } = {
    client,
    informerFor<T extends KubeObject>(type: TypeMeta): EventSourceInformer<T> {
      informed.push(type);
      return { type, addHandler: () => () => {}, waitForSync: () => Promise.resolve() };
    },
    add(_controller: ReconcileLoop): void {},
    // Operators written against Manager call manager.controller().
    controller: () => new ControllerBuilder(host),
  };

  const proto = ControllerBuilder.prototype as unknown as Record<
    WatchMethod,
    (type: TypeMeta, ...rest: unknown[]) => unknown
  >;
  const originals = { for: proto.for, owns: proto.owns, watches: proto.watches };
  const into: Record<WatchMethod, TypeMeta[]> = {
    for: recorded.reconciled,
    owns: recorded.owned,
    watches: recorded.watched,
  };
  for (const method of Object.keys(originals) as WatchMethod[]) {
    const original = originals[method];
    proto[method] = function (this: unknown, type: TypeMeta, ...rest: unknown[]) {
      if (typeof type?.apiVersion === 'string')
        into[method].push({ apiVersion: type.apiVersion, kind: type.kind });
      return original.call(this, type, ...rest);
    };
  }
  try {
    op.controllers?.(host);
  } finally {
    Object.assign(proto, originals);
  }
  if (informed.length > 0 && recorded.reconciled.length === 0) {
    throw new UsageError(
      "the operator wired controllers with another copy of @switchboard/core than this switchboard command uses; run the project's own (npx switchboard)",
    );
  }
  return recorded;
}
