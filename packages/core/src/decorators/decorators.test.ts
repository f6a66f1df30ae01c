import type { InformerHandler } from '../cache/index.js';
import type { Client, KubeObject, TypeMeta } from '../client/index.js';
import type {
  ControllerHost,
  ReconcileContext,
  ReconcileLoop,
  ReconcileRequest,
} from '../controller/index.js';
import { BuilderError, Outcome } from '../controller/index.js';
import {
  buildDecoratedController,
  Controller,
  DecoratorError,
  Owns,
  Reconcile,
  Watches,
} from './decorators.js';

const GADGET = { apiVersion: 'example.com/v1', kind: 'Gadget' };
const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
const SECRET = { apiVersion: 'v1', kind: 'Secret' };

function fakeHost() {
  const informers = new Map<string, Set<InformerHandler<KubeObject>>>();
  const added: ReconcileLoop[] = [];
  const host: ControllerHost = {
    client: {
      resource: () => ({ resource: () => Promise.resolve({ namespaced: true }) }),
    } as unknown as Client,
    informerFor: <T extends KubeObject>(type: TypeMeta) => {
      const handlers = new Set<InformerHandler<KubeObject>>();
      informers.set(type.kind, handlers);
      return {
        type,
        addHandler: (h: InformerHandler<T>) => (handlers.add(h), () => handlers.delete(h)),
        waitForSync: () => Promise.resolve(),
      };
    },
    add: (c) => added.push(c),
  };
  return { host, informers, added };
}

@Controller({ for: GADGET, name: 'gadgets' })
@Owns(CM)
@Watches(SECRET, (s) => [{ namespace: s.metadata.namespace, name: s.metadata.labels?.['gadget'] ?? '' }])
class GadgetController {
  readonly seen: string[] = [];

  @Reconcile()
  reconcile(req: ReconcileRequest, _ctx: ReconcileContext) {
    this.seen.push(req.key);
    return Outcome.done();
  }
}

describe('decorators', () => {
  it('replay as one builder call: for, owns, watches and the reconcile method', async () => {
    const { host, informers, added } = fakeHost();
    const instance = new GadgetController();
    const controller = buildDecoratedController(host, instance);
    expect(added).toEqual([controller]);
    expect(controller.name).toBe('gadgets');
    expect([...informers.keys()]).toEqual(['Gadget', 'ConfigMap', 'Secret']);
    await controller.start();
    for (const h of informers.get('Secret')!)
      h.onAdd?.({ metadata: { name: 's', namespace: 'ns', labels: { gadget: 'g1' } } }, false);
    for (const h of informers.get('ConfigMap')!) {
      h.onAdd?.(
        {
          metadata: {
            name: 'c',
            namespace: 'ns',
            ownerReferences: [{ ...GADGET, name: 'g2', uid: 'u', controller: true }],
          },
        },
        false,
      );
    }
    for (let i = 0; i < 50 && instance.seen.length < 2; i++) await new Promise((r) => setImmediate(r));
    expect(instance.seen.sort()).toEqual(['ns/g1', 'ns/g2']);
    await controller.stop(1000);
  });

  it('says what is missing on an undecorated class', () => {
    class Plain {}
    expect(() => buildDecoratedController(fakeHost().host, new Plain())).toThrow(DecoratorError);
    @Controller({ for: GADGET })
    class NoReconcile {}
    expect(() => buildDecoratedController(fakeHost().host, new NoReconcile())).toThrow(/@Reconcile/);
  });

  it('reports builder misuse through the builder', () => {
    @Controller({ for: GADGET, options: { maxConcurrentReconciles: 0 } })
    class Bad {
      @Reconcile()
      reconcile() {}
    }
    expect(() => buildDecoratedController(fakeHost().host, new Bad())).toThrow(BuilderError);
  });
});
