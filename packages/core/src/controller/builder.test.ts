import type { Client, TypeMeta } from '../client/index.js';
import type { ControllerHost } from './builder.js';
import { BuilderError, ControllerBuilder } from './builder.js';
import type { ReconcileLoop } from './reconcile-loop.js';

function host(): ControllerHost & { added: ReconcileLoop[]; asked: TypeMeta[] } {
  const added: ReconcileLoop[] = [];
  const asked: TypeMeta[] = [];
  return {
    added,
    asked,
    client: { resource: () => ({}) } as unknown as Client,
    informerFor: (type: TypeMeta) => {
      asked.push(type);
      return { type, addHandler: () => () => {}, waitForSync: () => Promise.resolve() };
    },
    add: (c) => added.push(c),
  };
}

const WIDGET = { apiVersion: 'example.com/v1', kind: 'Widget' };
const noop = (): void => {};

describe('ControllerBuilder', () => {
  it('builds a controller named after the kind and hands it to the host', () => {
    const h = host();
    const c = new ControllerBuilder(h).for(WIDGET).owns({ apiVersion: 'v1', kind: 'ConfigMap' }).build(noop);
    expect(c.name).toBe('widget');
    expect(h.added).toEqual([c]);
    expect(h.asked.map((t) => t.kind)).toEqual(['Widget', 'ConfigMap']);
  });

  it('reports every misuse at build(), each with how to fix it', () => {
    const b = new ControllerBuilder(host())
      .named('Bad Name')
      .owns({ apiVersion: 'v1', kind: 'ConfigMap' })
      .owns({ apiVersion: 'v1', kind: 'ConfigMap' })
      .withOptions({ maxConcurrentReconciles: 0, reconcileTimeoutMs: -1 });
    let error: unknown;
    try {
      b.build(noop);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BuilderError);
    const problems = (error as BuilderError).problems.join('\n');
    expect(problems).toMatch(/named\("Bad Name"\): use lower-case/);
    expect(problems).toMatch(/owns\(v1 ConfigMap\) called twice: keep one call/);
    expect(problems).toMatch(/maxConcurrentReconciles must be an integer >= 1/);
    expect(problems).toMatch(/reconcileTimeoutMs must be > 0/);
    expect(problems).toMatch(/no for\(kind\): call \.for/);
  });

  it('refuses for() twice and build() twice', () => {
    expect(() => new ControllerBuilder(host()).for(WIDGET).for(WIDGET).build(noop)).toThrow(
      /for\(Widget\) called twice/,
    );
    const b = new ControllerBuilder(host()).for(WIDGET);
    b.build(noop);
    expect(() => b.build(noop)).toThrow(/build\(\) called twice/);
  });
});
