/**
 * Leader election on a coordination.k8s.io/v1 Lease, after client-go's
 * `tools/leaderelection`: acquire when the lease is free or its holder has
 * not renewed for a lease duration (as observed on our own clock), renew
 * every retry period, and give up leadership when renewals fail for longer
 * than the renew deadline.
 *
 * What it does NOT guarantee: mutual exclusion in the strict sense. Two
 * replicas may briefly both act if clocks run at very different rates or a
 * process is paused (GC, SIGSTOP) past its renew deadline and resumes before
 * noticing. Reconcilers must stay idempotent and use optimistic concurrency
 * (resourceVersion) for writes that must not race.
 */
import type { Client, KubeObject, ResourceClient } from '../client/index.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../client/index.js';
import type { Logger } from '../logging/index.js';
import { silentLogger } from '../logging/index.js';
import type { Clock } from '../queue/index.js';
import { realClock } from '../queue/index.js';

/** coordination.k8s.io/v1 Lease, the fields leader election uses. */
export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

/** Options of {@link LeaderElector}. Times in ms; defaults are controller-runtime's. */
export interface LeaderElectionOptions {
  /** Lease name, e.g. `widget-operator-leader`. */
  leaseName: string;
  /** Lease namespace. */
  namespace: string;
  /** This replica's identity. Default `<hostname>_<random>`. */
  identity?: string;
  /** How long a lease holds without renewal. Default 15 000. */
  leaseDurationMs?: number;
  /** The leader gives up if it cannot renew for this long. Default 10 000. */
  renewDeadlineMs?: number;
  /** Wait between attempts (jittered up to +20 % while acquiring). Default 2 000. */
  retryPeriodMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Random source for jitter, in [0, 1). Default Math.random. */
  random?: () => number;
}

/** Why leadership ended. */
export class LeaderElectionLostError extends Error {
  override readonly name = 'LeaderElectionLostError';
  readonly reason = 'LeaderElectionLost';
  constructor(leaseName: string, cause?: unknown) {
    super(`lost leadership of lease ${leaseName}`, cause === undefined ? undefined : { cause });
  }
}

function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Campaigns for a lease, then keeps it.
 *
 * @example
 * const elector = new LeaderElector(client, { leaseName: 'widgets', namespace: 'ops' });
 * await elector.acquire(signal);            // resolves once leading
 * elector.lost.then(() => process.exit(1)); // leadership ended
 * await elector.release();                  // on clean shutdown
 */
export class LeaderElector {
  readonly identity: string;
  /** Resolves when leadership, once held, is lost (not on release). */
  readonly lost: Promise<LeaderElectionLostError>;
  private readonly leases: ResourceClient<Lease>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly random: () => number;
  /**
   * The Lease record last seen to change, and when (on our clock). Any write
   * bumps its resourceVersion, so a holder renewing twice within one
   * renewTime tick still counts as alive.
   */
  private observed: { holder: string; renewTime: string; version: string; at: number } | undefined;
  private leading = false;
  private stopRenewing: AbortController | undefined;
  private signalLost!: (err: LeaderElectionLostError) => void;

  constructor(
    client: Client,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.leases = client.resource<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' });
    this.identity = opts.identity ?? `${process.env['HOSTNAME'] ?? 'localhost'}_${crypto.randomUUID()}`;
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? silentLogger).child({
      lease: `${opts.namespace}/${opts.leaseName}`,
      identity: this.identity,
    });
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    this.random = opts.random ?? Math.random;
    if (!(this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs)) {
      throw new RangeError('leader election needs leaseDuration > renewDeadline > retryPeriod');
    }
    this.lost = new Promise((resolve) => (this.signalLost = resolve));
  }

  /** True while this replica holds the lease. */
  isLeader(): boolean {
    return this.leading;
  }

  /** Tries until the lease is ours, then starts renewing. Rejects when `signal` aborts first. */
  async acquire(signal?: AbortSignal): Promise<void> {
    this.log.info('waiting for leadership');
    for (;;) {
      signal?.throwIfAborted();
      if (await this.tryAcquireOrRenew(signal)) break;
      await this.clock.sleep(this.retryPeriodMs * (1 + 0.2 * this.random()), signal);
    }
    this.leading = true;
    this.log.info('became leader');
    this.stopRenewing = new AbortController();
    void this.renewLoop(this.stopRenewing.signal);
  }

  /** Stops renewing and, when leading, frees the lease so a successor takes over at once. */
  async release(): Promise<void> {
    this.stopRenewing?.abort();
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.leases.get({ namespace: this.opts.namespace, name: this.opts.leaseName });
      if (lease.spec?.holderIdentity !== this.identity) return;
      const now = microTime(new Date());
      await this.leases.update({
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: null,
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
        },
      });
      this.log.info('released leadership');
    } catch (err) {
      this.log.warn('could not release the lease; the successor waits for it to expire', {
        err: err instanceof Error ? err : String(err),
      });
    }
  }

  private async renewLoop(signal: AbortSignal): Promise<void> {
    let lastRenew = this.clock.now();
    while (!signal.aborted) {
      try {
        await this.clock.sleep(this.retryPeriodMs, signal);
      } catch {
        return; // released
      }
      let ok = false;
      let failure: unknown;
      try {
        ok = await this.tryAcquireOrRenew(
          AbortSignal.any([signal, this.timeoutSignal(this.renewDeadlineMs)]),
        );
      } catch (err) {
        failure = err;
      }
      if (signal.aborted) return;
      if (ok) {
        lastRenew = this.clock.now();
        continue;
      }
      if (
        this.clock.now() - lastRenew >= this.renewDeadlineMs ||
        (failure === undefined && this.observed?.holder !== this.identity)
      ) {
        this.leading = false;
        const err = new LeaderElectionLostError(this.opts.leaseName, failure);
        this.log.error('leadership lost', { err });
        this.signalLost(err);
        return;
      }
      this.log.warn('failed to renew the lease; retrying', {
        err: failure instanceof Error ? failure : String(failure),
      });
    }
  }

  private timeoutSignal(ms: number): AbortSignal {
    const ac = new AbortController();
    this.clock.setTimer(() => ac.abort(new Error(`lease renewal took longer than ${ms} ms`)), ms);
    return ac.signal;
  }

  /** One attempt (client-go's tryAcquireOrRenew). True when we hold the lease afterwards. */
  private async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const key = { namespace: this.opts.namespace, name: this.opts.leaseName };
    const nowIso = microTime(new Date());
    const spec = (prev?: Lease['spec']): NonNullable<Lease['spec']> => {
      const ours = prev?.holderIdentity === this.identity;
      return {
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
        acquireTime: ours ? (prev?.acquireTime ?? nowIso) : nowIso,
        renewTime: nowIso,
        leaseTransitions: ours ? (prev?.leaseTransitions ?? 0) : (prev?.leaseTransitions ?? -1) + 1,
      };
    };
    let lease: Lease;
    try {
      lease = await this.leases.get(key, signal ? { signal } : {});
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      try {
        const created = await this.leases.create(
          { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: key, spec: spec() },
          signal ? { signal } : {},
        );
        this.observe(this.identity, nowIso, created.metadata.resourceVersion ?? '');
        return true;
      } catch (createErr) {
        if (createErr instanceof AlreadyExistsError) return false;
        throw createErr;
      }
    }
    const holder = lease.spec?.holderIdentity ?? '';
    const renewTime = lease.spec?.renewTime ?? '';
    const version = lease.metadata.resourceVersion ?? '';
    if (
      this.observed === undefined ||
      this.observed.holder !== holder ||
      this.observed.renewTime !== renewTime ||
      this.observed.version !== version
    ) {
      this.observe(holder, renewTime, version);
    }
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
    const held = this.observed !== undefined && this.observed.at + durationMs > this.clock.now();
    if (holder !== '' && holder !== this.identity && held) return false;
    let updated: Lease;
    try {
      updated = await this.leases.update({ ...lease, spec: spec(lease.spec) }, signal ? { signal } : {});
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
    this.observe(this.identity, nowIso, updated.metadata.resourceVersion ?? '');
    return true;
  }

  private observe(holder: string, renewTime: string, version: string): void {
    this.observed = { holder, renewTime, version, at: this.clock.now() };
  }
}
