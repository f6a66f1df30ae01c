// The example operator (one ConfigMap per Gadget) in-process against the real
// API server and controller-manager: convergence on create / update / delete,
// the finalizer, garbage collection of children, retries with growing delay
// after a throwing reconcile, and the manager's /metrics, /healthz, /readyz.
import { createTestNamespace, eventually, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';
import {
  Client,
  EventRecorder,
  ItemExponentialFailureRateLimiter,
  Manager,
  NotFoundError,
  createLogger,
  isStatusConditionTrue,
} from '@switchboard/core';
import type { KubeEvent, Lease } from '@switchboard/core';
import type { ConfigMap, GadgetObject } from './support/gadget-operator.js';
import {
  CONFIG_MAP,
  FINALIZER,
  Gadget,
  addGadgetController,
  installGadgetCrd,
  removeAllGadgets,
} from './support/gadget-operator.js';

const BACKOFF_BASE_MS = 200;

let client: Client;
let ns: TestNamespace;
let manager: Manager;
let stopManager: AbortController;
let running: Promise<void>;
const cleanedUp: string[] = [];
const attempts = new Map<string, number[]>();

beforeAll(async () => {
  const kc = testKubeConfig();
  client = Client.fromKubeConfig(kc, { fieldManager: 'gadget-test' });
  ns = await createTestNamespace(kc, 'core-gadget');
  await installGadgetCrd(client);
  manager = new Manager({
    client,
    namespace: ns.name,
    logger: createLogger({ level: 'warn' }),
    metricsBindAddress: '127.0.0.1:0',
    healthProbeBindAddress: '127.0.0.1:0',
    leaderElection: { leaseName: 'gadget-test-leader', identity: 'in-process' },
  });
  addGadgetController(manager, {
    identity: 'in-process',
    options: { rateLimiter: new ItemExponentialFailureRateLimiter({ baseDelayMs: BACKOFF_BASE_MS }) },
    onApply: (g) => {
      const name = g.metadata.name ?? '';
      const seen = attempts.get(name) ?? [];
      seen.push(performance.now());
      attempts.set(name, seen);
      const failures = /^fail-(\d+)$/.exec(g.spec.message);
      if (failures && seen.length <= Number(failures[1])) throw new Error(`injected failure ${seen.length}`);
    },
    onCleanup: (g) => cleanedUp.push(g.metadata.name ?? ''),
  });
  stopManager = new AbortController();
  running = manager.start(stopManager.signal);
  await eventually(() => expect(manager.ready()).toBe(true), { timeout: 60_000, message: 'manager ready' });
});

afterAll(async () => {
  stopManager?.abort();
  await running;
  if (ns !== undefined) await removeAllGadgets(client, ns.name);
  await ns?.delete();
  client?.close();
});

const gadgets = () => Gadget.client(client);
const configMaps = () => client.resource<ConfigMap>(CONFIG_MAP);

async function createGadget(name: string, message: string): Promise<GadgetObject> {
  return gadgets().create({
    apiVersion: Gadget.apiVersion,
    kind: Gadget.kind,
    metadata: { name, namespace: ns.name },
    spec: { message },
  });
}

describe('a ConfigMap-per-Gadget controller', () => {
  it('converges after create and update, with a controller reference and a Ready condition', async () => {
    const g = await createGadget('alpha', 'hello');
    const cm = await eventually(() => configMaps().get({ namespace: ns.name, name: 'alpha-config' }), {
      message: 'ConfigMap created',
    });
    expect(cm.data).toEqual({ message: 'hello' });
    expect(cm.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'Gadget',
        name: 'alpha',
        uid: g.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      }),
    ]);
    await eventually(async () => {
      const current = await gadgets().get({ namespace: ns.name, name: 'alpha' });
      expect(current.metadata.finalizers).toContain(FINALIZER);
      expect(isStatusConditionTrue(current.status?.conditions, 'Ready')).toBe(true);
    });

    await gadgets().patch(
      { namespace: ns.name, name: 'alpha' },
      { type: 'merge', body: { spec: { message: 'updated' } } },
    );
    await eventually(async () => {
      expect((await configMaps().get({ namespace: ns.name, name: 'alpha-config' })).data).toEqual({
        message: 'updated',
      });
    });
  });

  it('recreates a child deleted behind its back', async () => {
    await createGadget('beta', 'b');
    await eventually(() => configMaps().get({ namespace: ns.name, name: 'beta-config' }));
    await configMaps().delete({ namespace: ns.name, name: 'beta-config' });
    await eventually(async () => {
      expect((await configMaps().get({ namespace: ns.name, name: 'beta-config' })).data).toEqual({
        message: 'b',
      });
    });
  });

  it('runs its finalizer on delete and the garbage collector removes the children', async () => {
    await createGadget('gamma', 'g');
    await eventually(async () => {
      const current = await gadgets().get({ namespace: ns.name, name: 'gamma' });
      expect(current.metadata.finalizers).toContain(FINALIZER);
      await configMaps().get({ namespace: ns.name, name: 'gamma-config' });
    });
    await gadgets().delete({ namespace: ns.name, name: 'gamma' });
    await eventually(
      async () => {
        await expect(gadgets().get({ namespace: ns.name, name: 'gamma' })).rejects.toThrow(NotFoundError);
        await expect(configMaps().get({ namespace: ns.name, name: 'gamma-config' })).rejects.toThrow(
          NotFoundError,
        );
      },
      { timeout: 60_000, message: 'Gadget gone and its ConfigMap garbage-collected' },
    );
    expect(cleanedUp).toContain('gamma');
  });

  it('retries a throwing reconcile with growing delay and stays up', async () => {
    await createGadget('delta', 'fail-3');
    await eventually(() => configMaps().get({ namespace: ns.name, name: 'delta-config' }), {
      timeout: 30_000,
      message: 'converged after three failures',
    });
    const times = attempts.get('delta') ?? [];
    expect(times.length).toBeGreaterThanOrEqual(4);
    const gaps = times.slice(1, 4).map((t, i) => t - times[i]!);
    // Lower bounds only (backoff can never be shorter): 200 ms, 400 ms, 800 ms.
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(BACKOFF_BASE_MS * 2 ** i * 0.9));
    // The process is still reconciling other objects.
    await createGadget('epsilon', 'after-failures');
    await eventually(() => configMaps().get({ namespace: ns.name, name: 'epsilon-config' }));
  });

  it("serves controller-runtime's metrics with sane values, and health probes", async () => {
    const base = `http://127.0.0.1:${manager.metricsAddress!.port}`;
    const text = await (await fetch(`${base}/metrics`)).text();
    const value = (series: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(series + ' '));
      if (line === undefined) throw new Error(`no series ${series} in /metrics`);
      return Number(line.slice(series.length + 1));
    };
    const c = 'controller="gadget"';
    const q = 'controller="gadget",name="gadget"';
    expect(value(`controller_runtime_reconcile_total{${c},result="success"}`)).toBeGreaterThan(0);
    expect(value(`controller_runtime_reconcile_total{${c},result="error"}`)).toBeGreaterThanOrEqual(3);
    expect(value(`controller_runtime_reconcile_errors_total{${c}}`)).toBeGreaterThanOrEqual(3);
    expect(value(`controller_runtime_reconcile_time_seconds_count{${c}}`)).toBeGreaterThan(0);
    expect(value(`controller_runtime_max_concurrent_reconciles{${c}}`)).toBe(2);
    expect(value(`controller_runtime_active_workers{${c}}`)).toBeGreaterThanOrEqual(0);
    expect(value(`workqueue_adds_total{${q}}`)).toBeGreaterThan(0);
    expect(value(`workqueue_retries_total{${q}}`)).toBeGreaterThanOrEqual(3);
    expect(value(`workqueue_depth{${q}}`)).toBeGreaterThanOrEqual(0);
    expect(value(`workqueue_queue_duration_seconds_count{${q}}`)).toBeGreaterThan(0);
    expect(value(`workqueue_work_duration_seconds_count{${q}}`)).toBeGreaterThan(0);
    expect(value(`workqueue_unfinished_work_seconds{${q}}`)).toBeGreaterThanOrEqual(0);
    expect(value(`workqueue_longest_running_processor_seconds{${q}}`)).toBeGreaterThanOrEqual(0);
    expect(value('leader_election_master_status{name="gadget-test-leader"}')).toBe(1);

    const probes = `http://127.0.0.1:${manager.probeAddress!.port}`;
    expect((await fetch(`${probes}/healthz`)).status).toBe(200);
    expect((await fetch(`${probes}/readyz`)).status).toBe(200);
    const lease = await client
      .resource<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' })
      .get({ namespace: ns.name, name: 'gadget-test-leader' });
    expect(lease.spec?.holderIdentity).toBe('in-process');
  });

  it('records events.k8s.io/v1 events and aggregates repeats into one series', async () => {
    const g = await createGadget('zeta', 'z');
    const recorder = new EventRecorder(client, {
      reportingController: 'core.test.switchboard.dev/gadget',
      reportingInstance: 'gadget-test',
      logger: createLogger({ level: 'warn' }),
    });
    const event = { type: 'Normal', reason: 'Tested', action: 'Test', note: 'the same thing again' } as const;
    for (let i = 0; i < 3; i++) await recorder.record(g, event);
    await recorder.record(g, { ...event, type: 'Warning', reason: 'Different' });
    const events = await client
      .resource<KubeEvent>({ apiVersion: 'events.k8s.io/v1', kind: 'Event' })
      .list({ namespace: ns.name });
    const about = events.items.filter((e) => e.regarding.uid === g.metadata.uid);
    expect(about.map((e) => [e.reason, e.series?.count ?? 1]).sort()).toEqual([
      ['Different', 1],
      ['Tested', 3],
    ]);
    expect(about.find((e) => e.reason === 'Tested')).toMatchObject({
      reportingController: 'core.test.switchboard.dev/gadget',
      action: 'Test',
      note: 'the same thing again',
      regarding: { kind: 'Gadget', name: 'zeta', namespace: ns.name },
    });
  });
});
