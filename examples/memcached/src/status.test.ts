import type { Memcached } from './api.js';
import type { Deployment, Pod } from './kube-types.js';
import { computeStatus } from './status.js';

const memcached = (status?: Memcached['status']): Memcached => ({
  metadata: { name: 'm', namespace: 'ns', generation: 4 },
  spec: { size: 3 },
  ...(status ? { status } : {}),
});
const deployment = (available: number): Deployment => ({
  metadata: { name: 'm' },
  spec: { selector: {}, template: {} },
  status: { availableReplicas: available },
});
const pod = (name: string, deleting = false): Pod => ({
  metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
});

describe('computeStatus', () => {
  it('lists live pods by name, sorted, leaving out pods being deleted', () => {
    const status = computeStatus(memcached(), deployment(0), [pod('m-b'), pod('m-a'), pod('m-c', true)]);
    expect(status.nodes).toEqual(['m-a', 'm-b']);
  });

  it('is Available only when every requested pod is available, for the current generation', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const short = computeStatus(memcached(), deployment(2), [], t0);
    expect(short.conditions).toEqual([
      {
        type: 'Available',
        status: 'False',
        reason: 'PodsNotAvailable',
        message: '2 of 3 pods available',
        observedGeneration: 4,
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
    const full = computeStatus(memcached(short), deployment(3), [], new Date('2026-01-01T00:01:00Z'));
    expect(full.conditions?.[0]).toMatchObject({
      status: 'True',
      reason: 'AllPodsAvailable',
      lastTransitionTime: '2026-01-01T00:01:00Z',
    });
  });

  it('keeps the transition time when nothing changed, so an unchanged world writes no status', () => {
    const first = computeStatus(memcached(), deployment(3), [pod('m-a')], new Date('2026-01-01T00:00:00Z'));
    const again = computeStatus(
      memcached(first),
      deployment(3),
      [pod('m-a')],
      new Date('2026-01-01T00:05:00Z'),
    );
    expect(again).toEqual(first);
  });
});
