import { Registry } from 'prom-client';
import { FakeClock, WorkQueue } from '../queue/index.js';
import { ControllerMetrics } from './controller-metrics.js';

describe('ControllerMetrics', () => {
  it('exports controller-runtime names with controller labels on its own registry', async () => {
    const registry = new Registry();
    const metrics = new ControllerMetrics(registry);
    const m = metrics.forController('widgets');
    m.maxConcurrentReconciles(2);
    m.reconciled('success', 0.02);
    m.reconciled('error', 0.5);
    m.reconcileError(false);
    metrics.leaderStatus('widgets-lock', true);
    const text = await registry.metrics();
    expect(text).toContain('controller_runtime_reconcile_total{controller="widgets",result="success"} 1');
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="widgets",result="requeue_after"} 0',
    );
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="widgets"} 1');
    expect(text).toContain('controller_runtime_reconcile_time_seconds_count{controller="widgets"} 2');
    expect(text).toContain('controller_runtime_max_concurrent_reconciles{controller="widgets"} 2');
    expect(text).toContain('leader_election_master_status{name="widgets-lock"} 1');
  });

  it('reads unfinished work from the queue at scrape time', async () => {
    const registry = new Registry();
    const m = new ControllerMetrics(registry).forController('w');
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, metrics: m.queue });
    m.trackUnfinishedWork(() => q.unfinishedWork());
    q.add('a');
    q.add('b');
    await q.get();
    clock.advance(4000);
    const text = await registry.metrics();
    expect(text).toContain('workqueue_depth{controller="w",name="w"} 1');
    expect(text).toContain('workqueue_adds_total{controller="w",name="w"} 2');
    expect(text).toContain('workqueue_unfinished_work_seconds{controller="w",name="w"} 4');
    expect(text).toContain('workqueue_longest_running_processor_seconds{controller="w",name="w"} 4');
  });

  it('keeps two registries independent', async () => {
    const a = new Registry();
    const b = new Registry();
    new ControllerMetrics(a).forController('x').reconciled('success', 0.1);
    new ControllerMetrics(b).forController('x');
    expect(await b.metrics()).toContain(
      'controller_runtime_reconcile_total{controller="x",result="success"} 0',
    );
  });
});
