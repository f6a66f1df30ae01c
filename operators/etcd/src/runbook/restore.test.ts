import { names, observe } from '../../test/support/observation-fixture.js';
import { decide } from './decide.js';
import type { RestoreSource } from './restore.js';

const ready: RestoreSource = {
  ready: true,
  backupName: 'nightly',
  snapshot: 'nightly-20261128-020000.db',
  claimName: 'backups',
  path: 'nightly/nightly-20261128-020000.db',
  sha256: 'd'.repeat(64),
  revision: 42,
};

function fresh(restoreSource?: RestoreSource) {
  return {
    ...observe({
      spec: { bootstrap: { restore: { backupName: 'nightly' } } },
      members: [],
      noQuorum: true,
      status: {},
    }),
    ...(restoreSource ? { restoreSource } : {}),
  };
}

describe('restore into a new cluster', () => {
  it('seeds one member from the backup snapshot', () => {
    const { ready: _ready, ...from } = ready;
    expect(decide(fresh(ready), { newMemberName: names() })).toEqual({
      kind: 'CreateSeed',
      member: 'etcd-new1',
      restore: from,
    });
  });

  it('creates nothing until the snapshot is found, and says why', () => {
    const missing: RestoreSource = {
      ready: false,
      reason: 'BackupNotFound',
      message: 'EtcdBackup nightly not found',
    };
    expect(decide(fresh(missing), { newMemberName: names() })).toEqual({
      kind: 'Wait',
      reason: 'RestoreSourceNotReady',
      message: 'EtcdBackup nightly not found',
    });
  });

  it('never restores over a cluster that exists', () => {
    const created = { ...fresh(ready), previousStatus: { clusterID: 'c1' } };
    expect(decide(created, { newMemberName: names() })).not.toMatchObject({ kind: 'CreateSeed' });
  });
});
