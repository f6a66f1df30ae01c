import { jest } from '@jest/globals';

import type { Client, ObjectKey } from '../client/index.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../client/index.js';
import { FakeClock } from '../queue/index.js';
import type { Lease } from './leader-election.js';
import { LeaderElector } from './leader-election.js';

/** One Lease kept in memory with resourceVersion checks; `down` makes a replica's calls fail (a partition). */
class LeaseServer {
  lease: Lease | undefined;
  private rv = 0;
  clientFor(replica: { down: boolean }): Client {
    const err = (E: typeof NotFoundError, key: ObjectKey) =>
      new E({ verb: 'get', resource: 'leases.coordination.k8s.io', key, code: 0, reason: 'x', message: 'x' });
    const check = (key: ObjectKey) => {
      if (replica.down) throw new Error('connection refused');
      return key;
    };
    const leases = {
      get: (key: ObjectKey) =>
        Promise.resolve().then(() => {
          check(key);
          if (!this.lease) throw err(NotFoundError, key);
          return structuredClone(this.lease);
        }),
      create: (obj: Lease) =>
        Promise.resolve().then(() => {
          check({ name: '' });
          if (this.lease) throw err(AlreadyExistsError, { name: '' });
          this.lease = {
            ...structuredClone(obj),
            metadata: { ...obj.metadata, resourceVersion: String(++this.rv) },
          };
          return structuredClone(this.lease);
        }),
      update: (obj: Lease) =>
        Promise.resolve().then(() => {
          check({ name: '' });
          if (obj.metadata.resourceVersion !== this.lease?.metadata.resourceVersion)
            throw err(ConflictError, { name: '' });
          this.lease = {
            ...structuredClone(obj),
            metadata: { ...obj.metadata, resourceVersion: String(++this.rv) },
          };
          return structuredClone(this.lease);
        }),
    };
    return { resource: () => leases } as unknown as Client;
  }
}

const flush = () => new Promise((r) => setImmediate(r));
async function advance(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    clock.advance(100);
    await flush();
  }
}

function replica(server: LeaseServer, clock: FakeClock, identity: string) {
  const net = { down: false };
  const elector = new LeaderElector(server.clientFor(net), {
    leaseName: 'l',
    namespace: 'ns',
    identity,
    clock,
    random: () => 0,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
  });
  return { elector, net };
}

/** Two replicas on one lease; `a` has acquired it. */
async function aLeadsBWaits() {
  const server = new LeaseServer();
  const clock = new FakeClock();
  const a = replica(server, clock, 'a');
  const b = replica(server, clock, 'b');
  await a.elector.acquire();
  return { server, clock, a, b };
}

describe('LeaderElector', () => {
  it('lets one replica lead while it renews; the other waits', async () => {
    const { server, clock, a, b } = await aLeadsBWaits();
    let bLeads = false;
    void b.elector.acquire().then(() => (bLeads = true));
    await advance(clock, 60_000);
    expect(a.elector.isLeader()).toBe(true);
    expect(bLeads).toBe(false);
    expect(server.lease?.spec?.holderIdentity).toBe('a');
  });

  it('keeps leading when its renewals fall within one tick of the wall clock (the Lease version changes)', async () => {
    // Wall-clock time frozen, as for renewals closer together than renewTime's resolution.
    jest.useFakeTimers({
      now: new Date('2026-11-28T00:00:00Z'),
      doNotFake: [
        'setImmediate',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'nextTick',
        'queueMicrotask',
        'performance',
        'hrtime',
      ],
    });
    try {
      const { server, clock, a, b } = await aLeadsBWaits();
      let bLeads = false;
      void b.elector.acquire().then(() => (bLeads = true));
      await advance(clock, 60_000);
      expect(a.elector.isLeader()).toBe(true);
      expect(bLeads).toBe(false);
      expect(server.lease?.spec?.holderIdentity).toBe('a');
    } finally {
      jest.useRealTimers();
    }
  });

  it('the leader steps down after the renew deadline when cut off, and the other takes over after the lease duration', async () => {
    const { server, clock, a, b } = await aLeadsBWaits();
    let lostAt: number | undefined;
    void a.elector.lost.then(() => (lostAt = clock.now()));
    let bLeadsAt: number | undefined;
    void b.elector.acquire().then(() => (bLeadsAt = clock.now()));
    // Step 4 s, noting (on the fake clock) when a last renewed: its lease
    // cannot expire before that moment + 15 s.
    let renewedAt = clock.now();
    let renewTime = server.lease?.spec?.renewTime;
    for (let t = 0; t < 4_000; t += 100) {
      await advance(clock, 100);
      if (server.lease?.spec?.renewTime !== renewTime) {
        renewTime = server.lease?.spec?.renewTime;
        renewedAt = clock.now();
      }
    }
    const cutAt = clock.now();
    a.net.down = true;
    await advance(clock, 30_000);
    expect(lostAt).toBeDefined();
    expect(lostAt! - cutAt).toBeLessThanOrEqual(10_000 + 2_000);
    expect(a.elector.isLeader()).toBe(false);
    expect(bLeadsAt).toBeDefined();
    expect(bLeadsAt! - renewedAt).toBeGreaterThanOrEqual(15_000); // never before a's lease could have expired
    expect(server.lease?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('release frees the lease so the successor takes over at its next retry', async () => {
    const { server, clock, a, b } = await aLeadsBWaits();
    let bLeads = false;
    void b.elector.acquire().then(() => (bLeads = true));
    await advance(clock, 2_000);
    await a.elector.release();
    expect(server.lease?.spec?.holderIdentity).toBeNull();
    await advance(clock, 2_500);
    expect(bLeads).toBe(true);
  });
});
