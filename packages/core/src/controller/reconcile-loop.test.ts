import type { InformerHandler } from '../cache/index.js';
import type { KubeObject, TypeMeta } from '../client/index.js';
import { FakeClock, ItemExponentialFailureRateLimiter } from '../queue/index.js';
import type { EventSourceInformer, ReconcileFunction } from './reconcile-loop.js';
import { CacheSyncTimeoutError, ReconcileLoop } from './reconcile-loop.js';
import { enqueueControllerOwner, enqueueObject } from './handlers.js';
import { Outcome, TerminalError } from './outcome.js';
import { generationChanged } from './predicates.js';

class FakeInformer implements EventSourceInformer {
  readonly handlers = new Set<InformerHandler<KubeObject>>();
  synced = Promise.resolve();
  constructor(readonly type: TypeMeta = { apiVersion: 'example.com/v1', kind: 'Widget' }) {}
  addHandler(h: InformerHandler<KubeObject>): () => void {
    this.handlers.add(h);
    return () => this.handlers.delete(h);
  }
  waitForSync(signal?: AbortSignal): Promise<void> {
    return Promise.race([
      this.synced,
      new Promise<void>((_, reject) =>
        signal?.addEventListener('abort', () => reject(signal.reason as Error)),
      ),
    ]);
  }
  add(obj: KubeObject): void {
    for (const h of this.handlers) h.onAdd?.(obj, false);
  }
  update(old: KubeObject, obj: KubeObject): void {
    for (const h of this.handlers) h.onUpdate?.(old, obj);
  }
}

const widget = (name: string, generation = 1): KubeObject => ({
  metadata: { name, namespace: 'ns', generation },
});
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await tick();
  expect(check()).toBe(true);
}

type Reconcile = ReconcileFunction;

function setup(reconcile: Reconcile, extra: Partial<ConstructorParameters<typeof ReconcileLoop>[0]> = {}) {
  const informer = new FakeInformer();
  const clock = new FakeClock();
  const controller = new ReconcileLoop({
    name: 'widgets',
    reconcile,
    sources: [{ informer, handler: enqueueObject(), predicates: [generationChanged] }],
    clock,
    rateLimiter: new ItemExponentialFailureRateLimiter({ baseDelayMs: 100 }),
    ...extra,
  });
  return { informer, clock, controller };
}

describe('ReconcileLoop', () => {
  it('reconciles added objects by key and filters updates through predicates', async () => {
    const seen: string[] = [];
    const { informer, controller } = setup((req) => {
      seen.push(req.key);
    });
    await controller.start();
    informer.add(widget('a'));
    await until(() => seen.length === 1);
    informer.update(widget('a'), widget('a')); // same generation: filtered
    informer.update(widget('a'), widget('a', 2));
    await until(() => seen.length === 2);
    expect(seen).toEqual(['ns/a', 'ns/a']);
    expect(await controller.stop(1000)).toBe(true);
  });

  it('retries a throwing reconcile with growing delay and stays up', async () => {
    const attempts: number[] = [];
    const { informer, clock, controller } = setup(() => {
      attempts.push(clock.now());
      if (attempts.length < 4) throw new Error('boom');
    });
    await controller.start();
    informer.add(widget('a'));
    await until(() => attempts.length === 1);
    for (const step of [100, 200, 400]) {
      await tick();
      clock.advance(step);
      await until(() => attempts.length > 1 && attempts.at(-1) === clock.now());
    }
    expect(attempts).toEqual([0, 100, 300, 700]);
    await controller.stop(1000);
  });

  it('does not retry a terminal error', async () => {
    let calls = 0;
    const { informer, clock, controller } = setup(() => {
      calls++;
      throw new TerminalError('bad spec', { reason: 'InvalidSpec' });
    });
    await controller.start();
    informer.add(widget('a'));
    await until(() => calls === 1);
    clock.advance(1_000_000);
    await tick();
    expect(calls).toBe(1);
    await controller.stop(1000);
  });

  it('requeues after the asked delay', async () => {
    const at: number[] = [];
    const { informer, clock, controller } = setup(() => {
      at.push(clock.now());
      return at.length === 1 ? Outcome.requeueAfter(5000) : Outcome.done();
    });
    await controller.start();
    informer.add(widget('a'));
    await until(() => at.length === 1);
    clock.advance(5000);
    await until(() => at.length === 2);
    expect(at).toEqual([0, 5000]);
    await controller.stop(1000);
  });

  it('never runs one key on two workers and runs different keys in parallel', async () => {
    let running = 0;
    let maxRunning = 0;
    const perKey = new Map<string, number>();
    const release: (() => void)[] = [];
    const { informer, controller } = setup(
      async (req) => {
        perKey.set(req.key, (perKey.get(req.key) ?? 0) + 1);
        expect(perKey.get(req.key)).toBe(1);
        maxRunning = Math.max(maxRunning, ++running);
        await new Promise<void>((r) => release.push(r));
        running--;
        perKey.set(req.key, perKey.get(req.key)! - 1);
      },
      { maxConcurrentReconciles: 3 },
    );
    await controller.start();
    informer.add(widget('a'));
    informer.add(widget('b'));
    await until(() => running === 2);
    informer.update(widget('a', 1), widget('a', 2)); // while 'a' is running
    await tick();
    expect(running).toBe(2);
    release.shift()!();
    await until(() => running === 2 && release.length === 2); // 'a' again
    release.splice(0).forEach((r) => r());
    await until(() => running === 0);
    expect(maxRunning).toBe(2);
    await controller.stop(1000);
  });

  it('lets an in-flight reconcile finish on stop', async () => {
    let finished = false;
    let release!: () => void;
    const { informer, controller } = setup(async () => {
      await new Promise<void>((r) => (release = r));
      finished = true;
    });
    await controller.start();
    informer.add(widget('a'));
    await until(() => release !== undefined);
    const stopped = controller.stop(10_000);
    await tick();
    release();
    expect(await stopped).toBe(true);
    expect(finished).toBe(true);
  });

  it('aborts the signal after the grace period', async () => {
    let signal!: AbortSignal;
    const { informer, clock, controller } = setup(async (_req, ctx) => {
      signal = ctx.signal;
      await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r()));
    });
    await controller.start();
    informer.add(widget('a'));
    await until(() => signal !== undefined);
    const stopped = controller.stop(500);
    clock.advance(500);
    expect(await stopped).toBe(false);
    expect(signal.aborted).toBe(true);
  });

  it('aborts the signal of a reconcile that outlives its timeout, and retries it', async () => {
    const reasons: unknown[] = [];
    let attempts = 0;
    const { informer, clock, controller } = setup(
      (_req, ctx) => {
        attempts++;
        return new Promise<void>((_, reject) =>
          ctx.signal.addEventListener('abort', () => {
            reasons.push(ctx.signal.reason);
            reject(ctx.signal.reason as Error);
          }),
        );
      },
      { reconcileTimeoutMs: 1000 },
    );
    await controller.start();
    informer.add(widget('a'));
    await until(() => attempts === 1);
    clock.advance(999);
    await tick();
    expect(reasons).toHaveLength(0);
    clock.advance(1);
    await until(() => reasons.length === 1);
    expect(String(reasons[0])).toMatch(/timed out after 1000 ms/);
    clock.advance(100); // the rate-limited retry
    await until(() => attempts === 2);
    const stopped = controller.stop(0);
    clock.advance(0);
    expect(await stopped).toBe(false);
  });

  it('names the kind whose cache did not sync', async () => {
    const { informer, clock, controller } = setup(() => {}, { cacheSyncTimeoutMs: 1000 });
    informer.synced = new Promise(() => {});
    const started = controller.start();
    await tick();
    clock.advance(1000);
    await expect(started).rejects.toThrow(CacheSyncTimeoutError);
    await expect(started).rejects.toThrow(/example.com\/v1 Widget cache did not sync/);
  });
});

describe('enqueueControllerOwner', () => {
  it('maps a child to its controller owner of the right group and kind', () => {
    const handler = enqueueControllerOwner({ apiVersion: 'example.com/v1', kind: 'Widget' }, () => true);
    const child: KubeObject = {
      metadata: {
        name: 'c',
        namespace: 'ns',
        ownerReferences: [
          { apiVersion: 'other.io/v1', kind: 'Widget', name: 'x', uid: '1', controller: false },
          { apiVersion: 'example.com/v2', kind: 'Widget', name: 'w', uid: '2', controller: true },
        ],
      },
    };
    expect(handler({ type: 'create', object: child })).toEqual([{ namespace: 'ns', name: 'w' }]);
    expect(handler({ type: 'create', object: { metadata: { name: 'orphan' } } })).toEqual([]);
  });
});
