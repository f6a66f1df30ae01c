/**
 * The manager runs controllers: one client, shared informers, one metrics
 * registry, leader election, HTTP endpoints, and an ordered start and stop.
 */
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Client } from '../client/index.js';
import type { KubeObject, TypeMeta } from '../client/index.js';
import { CacheReader, InformerFactory } from '../cache/index.js';
import type { InformerSelection } from '../cache/index.js';
import { ControllerBuilder } from '../controller/index.js';
import type { ReconcileLoop, ControllerHost, EventSourceInformer } from '../controller/index.js';
import type { Logger } from '../logging/index.js';
import { createLogger } from '../logging/index.js';
import { ControllerMetrics } from '../metrics/index.js';
import type { ControllerMetricSet } from '../metrics/index.js';
import type { Clock } from '../queue/index.js';
import { realClock } from '../queue/index.js';
import { LeaderElectionLostError, LeaderElector } from './leader-election.js';
import type { LeaderElectionOptions } from './leader-election.js';
import { EndpointServer, parseBindAddress } from './probe-server.js';
import type { HealthCheck } from './probe-server.js';
import { logWatchErrors } from './watch-error-log.js';

/** Options of a {@link Manager}. Times in ms. */
export interface ManagerOptions {
  /** The cluster connection. Default `Client.fromDefault()` ($KUBECONFIG, ~/.kube/config or in-cluster). */
  client?: Client;
  /** Watch and reconcile in this namespace only. Default all namespaces. */
  namespace?: string;
  /** Leader election on a Lease; unset or `false` runs without it. `namespace` defaults to the manager's or "default". */
  leaderElection?:
    false | (Omit<LeaderElectionOptions, 'namespace' | 'clock' | 'logger'> & { namespace?: string });
  /** Where /metrics listens: `":8080"` (default), `"127.0.0.1:0"`, or `"0"` to disable. */
  metricsBindAddress?: string;
  /** Where /healthz and /readyz listen: `":8081"` (default) or `"0"` to disable. */
  healthProbeBindAddress?: string;
  /** Bound on the whole shutdown; in-flight reconciles get this long to finish. Default 30 000. */
  gracefulShutdownTimeoutMs?: number;
  /** Default logger: JSON in a cluster, text in a terminal. */
  logger?: Logger;
  /** Metrics registry. Default a new one per manager (never prom-client's global). */
  registry?: Registry;
  /** Add Node process metrics (CPU, memory, event loop) to the registry. Default true. */
  processMetrics?: boolean;
  clock?: Clock;
}

/**
 * Runs controllers until its signal aborts.
 *
 * Start order, each step for a reason:
 * 1. HTTP endpoints, so probes answer (not ready) while caches fill;
 * 2. informers, so caches warm up while we wait for leadership;
 * 3. leader election, when enabled;
 * 4. controllers (each waits, bounded, for its caches).
 * Ready (/readyz) once the caches synced, whether or not this replica leads.
 * Stop order is the reverse, in one time bound: controllers drain, the lease
 * is released (after the drain, so leaders never overlap), informers stop,
 * endpoints close. Losing the lease stops reconciling at once and makes
 * `start` reject with {@link LeaderElectionLostError}: exit the process.
 *
 * @example
 * const mgr = new Manager({ leaderElection: { leaseName: 'widgets-leader' } });
 * mgr.controller().for(Widget).owns(ConfigMapType).build(reconcile);
 * await mgr.start(shutdownSignal());
 */
export class Manager implements ControllerHost {
  readonly client: Client;
  readonly informers: InformerFactory;
  /** Cached reads for reconcilers. */
  readonly cache: CacheReader;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The one namespace it watches (`ManagerOptions.namespace`), or undefined for all. */
  readonly namespace: string | undefined;
  /** The leader elector, when leader election is on. */
  readonly elector: LeaderElector | undefined;
  private readonly metrics: ControllerMetrics;
  private readonly controllers: ReconcileLoop[] = [];
  private readonly healthChecks = new Map<string, HealthCheck>([['ping', () => {}]]);
  private readonly readyChecks = new Map<string, HealthCheck>();
  private readonly servers: EndpointServer[] = [];
  private readonly addresses: { metrics?: AddressInfo; probes?: AddressInfo } = {};
  private readonly stopHooks: Array<() => void | Promise<void>> = [];
  /** True when the manager made its client, so it closes it on stop. */
  private readonly ownsClient: boolean;
  private isReady = false;
  private started = false;

  constructor(private readonly opts: ManagerOptions = {}) {
    this.client = opts.client ?? Client.fromDefault();
    this.ownsClient = opts.client === undefined;
    this.logger = opts.logger ?? createLogger();
    this.clock = opts.clock ?? realClock;
    this.namespace = opts.namespace;
    this.registry = opts.registry ?? new Registry();
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.metrics = new ControllerMetrics(this.registry);
    this.informers = new InformerFactory(this.client, {
      ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      onHandlerError: (err) =>
        this.logger.error('informer handler failed', { err: err instanceof Error ? err : String(err) }),
      onWatchError: logWatchErrors(this.logger, this.clock),
    });
    this.cache = new CacheReader(this.informers);
    const le = opts.leaderElection;
    this.elector = le
      ? new LeaderElector(this.client, {
          ...le,
          namespace: le.namespace ?? opts.namespace ?? 'default',
          clock: this.clock,
          logger: this.logger,
        })
      : undefined;
    // Ready means caches synced, leader or not: a standby that is never ready
    // would stall a Deployment's rolling update behind the old leader.
    this.readyChecks.set('informers-synced', () => {
      if (!this.isReady) throw new Error('informer caches not synced yet');
    });
  }

  /** A builder whose controller this manager runs. */
  controller(): ControllerBuilder {
    return new ControllerBuilder(this);
  }

  /** @internal ControllerHost: shared informers. */
  informerFor<T extends KubeObject>(
    type: TypeMeta,
    selection: InformerSelection = {},
  ): EventSourceInformer<T> {
    return this.informers.informerFor<T>(type, selection);
  }

  /** @internal ControllerHost: metrics of one controller. */
  metricsFor(controllerName: string): ControllerMetricSet {
    return this.metrics.forController(controllerName);
  }

  /** Adds a controller (the builder does this). Names must be unique. */
  add(controller: ReconcileLoop): void {
    if (this.started)
      throw new Error(
        `controller ${controller.name} added after the manager started; build controllers before start()`,
      );
    if (this.controllers.some((c) => c.name === controller.name)) {
      throw new Error(`two controllers named ${controller.name}: give one another name with .named()`);
    }
    this.controllers.push(controller);
  }

  /** Adds a /healthz check; a failing one makes the kubelet restart the pod. */
  addHealthCheck(name: string, check: HealthCheck): void {
    this.healthChecks.set(name, check);
  }

  /** Adds a /readyz check; a failing one takes the pod out of Service endpoints. */
  addReadyCheck(name: string, check: HealthCheck): void {
    this.readyChecks.set(name, check);
  }

  /**
   * Runs `hook` once the manager has stopped (controllers drained, informers
   * stopped, endpoints closed): release what controllers hold open (connection
   * pools, agents) so the process can exit. A failing hook is logged.
   */
  onStop(hook: () => void | Promise<void>): void {
    this.stopHooks.push(hook);
  }

  /** Bound address of /metrics once started (port 0 resolved). */
  get metricsAddress(): AddressInfo | undefined {
    return this.addresses.metrics;
  }

  /** Bound address of /healthz and /readyz once started. */
  get probeAddress(): AddressInfo | undefined {
    return this.addresses.probes;
  }

  /** True once the informer caches synced (whether or not this replica leads). */
  ready(): boolean {
    return this.isReady;
  }

  /**
   * Runs until `signal` aborts, then shuts down in order and resolves.
   * Rejects on leadership loss, on a cache that does not sync, or when an
   * endpoint cannot bind, after stopping whatever had started.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.started) throw new Error('a manager starts once; create a new one');
    this.started = true;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort(signal?.reason);
    if (signal?.aborted === true) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let failure: unknown;
    try {
      await this.listen();
      this.informers.start();
      this.informers.waitForSync(stop.signal).then(
        () => (this.isReady = !stop.signal.aborted),
        () => undefined, // a cache that never syncs fails its controller's start, with the kind named
      );
      void this.elector?.lost.then((err) => {
        failure = err;
        stop.abort(err);
      });
      await Promise.all(
        this.controllers.filter((c) => !c.needLeaderElection).map((c) => c.start(stop.signal)),
      );
      if (this.elector) {
        const leaseName = this.opts.leaderElection ? this.opts.leaderElection.leaseName : '';
        this.metrics.leaderStatus(leaseName, false);
        await this.elector.acquire(stop.signal);
        this.metrics.leaderStatus(leaseName, true);
      }
      await Promise.all(
        this.controllers.filter((c) => c.needLeaderElection).map((c) => c.start(stop.signal)),
      );
      this.logger.info('manager started', { controllers: this.controllers.map((c) => c.name).join(',') });
      await new Promise<void>((resolve) => {
        if (stop.signal.aborted) resolve();
        else stop.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } catch (err) {
      // Aborted by the caller's signal while starting: a normal stop, not a failure.
      if (failure === undefined && signal?.aborted !== true) failure = err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stop.abort();
      await this.shutdown(failure instanceof LeaderElectionLostError);
    }
    if (failure !== undefined)
      throw failure instanceof Error ? failure : new Error('manager failed', { cause: failure });
  }

  private async listen(): Promise<void> {
    const metricsBind = parseBindAddress(this.opts.metricsBindAddress ?? ':8080');
    const probeBind = parseBindAddress(this.opts.healthProbeBindAddress ?? ':8081');
    if (metricsBind) {
      const server = new EndpointServer({ registry: this.registry });
      this.servers.push(server);
      this.addresses.metrics = await server.listen(metricsBind);
      this.logger.info('serving metrics', {
        address: `${this.addresses.metrics.address}:${this.addresses.metrics.port}`,
      });
    }
    if (probeBind) {
      const server = new EndpointServer({ healthChecks: this.healthChecks, readyChecks: this.readyChecks });
      this.servers.push(server);
      this.addresses.probes = await server.listen(probeBind);
      this.logger.info('serving health probes', {
        address: `${this.addresses.probes.address}:${this.addresses.probes.port}`,
      });
    }
  }

  private async shutdown(leadershipLost: boolean): Promise<void> {
    this.isReady = false;
    const graceMs = leadershipLost ? 0 : (this.opts.gracefulShutdownTimeoutMs ?? 30_000);
    this.logger.info('shutting down', { graceMs, leadershipLost });
    const drained = await Promise.all([...this.controllers].reverse().map((c) => c.stop(graceMs)));
    if (!leadershipLost) await this.elector?.release();
    if (this.elector && this.opts.leaderElection)
      this.metrics.leaderStatus(this.opts.leaderElection.leaseName, false);
    this.informers.stop();
    await Promise.all(this.servers.map((s) => s.close()));
    for (const hook of [...this.stopHooks].reverse()) {
      try {
        await hook();
      } catch (err) {
        this.logger.error('stop hook failed', { err: err instanceof Error ? err : String(err) });
      }
    }
    // A client the caller passed in is the caller's to close.
    if (this.ownsClient) this.client.close();
    this.logger.info('manager stopped', { drained: drained.every(Boolean) });
  }
}
