// Finds out what an operator's controllers watch, own and reconcile by
// running its `controllers(manager)` against a Manager that is never started
// (constructing one opens nothing: no informer runs, no port is bound) over a
// client whose every HTTP call is refused.
// The builder is the one way controllers are wired (decorators replay onto
// it), so recording its for/owns/watches calls sees every controller.
import type { EventSourceInformer, InformerSelection, KubeObject, TypeMeta } from '@switchboard/core';
import { Client, ControllerBuilder, Manager, silentLogger } from '@switchboard/core';

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
  const host = new Manager({
    client,
    logger: silentLogger,
    processMetrics: false,
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
  });
  const informerFor = host.informerFor.bind(host);
  host.informerFor = <T extends KubeObject>(
    type: TypeMeta,
    selection?: InformerSelection,
  ): EventSourceInformer<T> => {
    informed.push(type);
    return informerFor<T>(type, selection);
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
