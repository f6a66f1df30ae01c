import type { EtcdSnapshotRecord } from '../api/backup-types.js';
import { keptSnapshots, snapshotsToDeleteAfterNext } from './retention.js';

const snap = (stamp: string): EtcdSnapshotRecord => ({
  name: `nightly-${stamp}.db`,
  path: `nightly/nightly-${stamp}.db`,
  revision: 1,
  size: 1,
  sha256: '0'.repeat(64),
  completionTime: '2026-11-28T00:00:00Z',
});

describe('backup retention', () => {
  const recorded = [snap('20261128-010000'), snap('20261128-030000'), snap('20261128-020000')];

  it('deletes the oldest recorded snapshots so that the next one makes maxBackups', () => {
    expect(snapshotsToDeleteAfterNext(recorded, 3).map((s) => s.name)).toEqual([
      'nightly-20261128-010000.db',
    ]);
    expect(snapshotsToDeleteAfterNext(recorded, 1).map((s) => s.name)).toEqual([
      'nightly-20261128-030000.db',
      'nightly-20261128-020000.db',
      'nightly-20261128-010000.db',
    ]);
    expect(snapshotsToDeleteAfterNext(recorded, 5)).toEqual([]);
  });

  it('keeps the new snapshot and the newest others, newest first, maxBackups in all', () => {
    const added = snap('20261128-040000');
    expect(keptSnapshots(recorded, added, 3).map((s) => s.name)).toEqual([
      'nightly-20261128-040000.db',
      'nightly-20261128-030000.db',
      'nightly-20261128-020000.db',
    ]);
    // Recording the same snapshot twice (a repeated pass) does not duplicate it.
    expect(keptSnapshots([added, ...recorded], added, 10)).toHaveLength(4);
  });

  it('keeps what the Job deleted and the status records in step', () => {
    const added = snap('20261128-040000');
    const deleted = new Set(snapshotsToDeleteAfterNext(recorded, 2).map((s) => s.name));
    const kept = keptSnapshots(recorded, added, 2);
    for (const s of recorded) expect(deleted.has(s.name)).toBe(!kept.some((k) => k.name === s.name));
  });
});
