import { KubeConfig } from '@kubernetes/client-node';

import { Client } from '../client/index.js';
import { Manager } from '../manager/index.js';
import { Counter, Gauge } from './index.js';

describe("an operator's own metrics", () => {
  it("are served from the manager's registry with the controller-runtime ones", async () => {
    const kc = new KubeConfig();
    // Never contacted: the manager is not started, only its /metrics registry is read.
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const manager = new Manager({ client: Client.fromKubeConfig(kc), processMetrics: false });
    const widgets = new Gauge({
      name: 'widget_operator_widgets',
      help: 'Widgets reconciled',
      labelNames: ['namespace'],
      registers: [manager.registry],
    });
    const repairs = new Counter({
      name: 'widget_operator_repairs_total',
      help: 'Repairs',
      registers: [manager.registry],
    });
    widgets.set({ namespace: 'a' }, 3);
    repairs.inc();
    manager.metricsFor('widget');
    const text = await manager.registry.metrics();
    expect(text).toContain('widget_operator_widgets{namespace="a"} 3');
    expect(text).toContain('widget_operator_repairs_total 1');
    expect(text).toContain('controller_runtime_reconcile_total{controller="widget",result="success"} 0');
  });
});
