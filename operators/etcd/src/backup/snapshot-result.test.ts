import { parseSnapshotResult, SnapshotResultError } from './snapshot-result.js';

// What the Job's script writes, with etcdctl 3.6.16's `endpoint status -w json` and etcdutl's `snapshot status -w json`.
const message = JSON.stringify({
  file: 'nightly-20261128-020000.db',
  startTime: '2026-11-28T02:00:01Z',
  sha256: 'a'.repeat(64),
  size: 20480,
  status: { hash: 2787749397, revision: 4, totalKey: 3, totalSize: 20480, version: '3.6.0' },
  endpointStatus: [
    { Endpoint: 'http://10.244.1.5:2379', Status: { header: { revision: 4 }, version: '3.6.16' } },
  ],
});
const where = { folder: 'nightly', member: 'main-abcde', completionTime: '2026-11-28T02:00:02Z' };

describe('snapshot results', () => {
  it('reads revision, versions, size, sha256 and keys from the Job termination message', () => {
    expect(parseSnapshotResult(message, where)).toEqual({
      name: 'nightly-20261128-020000.db',
      path: 'nightly/nightly-20261128-020000.db',
      etcdVersion: '3.6.16',
      storageVersion: '3.6.0',
      revision: 4,
      totalKeys: 3,
      size: 20480,
      sha256: 'a'.repeat(64),
      member: 'main-abcde',
      startTime: '2026-11-28T02:00:01Z',
      completionTime: '2026-11-28T02:00:02Z',
    });
  });

  it('accepts etcd 3.5 output, which has no storage version', () => {
    const v35 = JSON.parse(message) as { status: Record<string, unknown> };
    delete v35.status.version;
    expect(parseSnapshotResult(JSON.stringify(v35), where)).not.toHaveProperty('storageVersion');
  });

  it.each([
    ['not JSON', 'Error: snapshot failed', /not JSON/],
    ['no revision', JSON.stringify({ ...JSON.parse(message), status: {} }), /no revision/],
    ['a bad sha256', JSON.stringify({ ...JSON.parse(message), sha256: 'xyz' }), /sha256/],
    ['an empty file', JSON.stringify({ ...JSON.parse(message), size: 0 }), /size/],
    ['a path for a name', JSON.stringify({ ...JSON.parse(message), file: '../x.db' }), /file name/],
  ])('refuses %s', (_what, text, why) => {
    expect(() => parseSnapshotResult(text, where)).toThrow(SnapshotResultError);
    expect(() => parseSnapshotResult(text, where)).toThrow(why);
  });
});
