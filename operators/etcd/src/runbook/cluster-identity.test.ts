import { healthy, names, observe } from '../../test/support/observation-fixture.js';
import type { EtcdBackupRecoveryStatus } from '../api/types.js';
import { trustsAnswer } from './cluster-identity.js';
import { decide } from './decide.js';
import { computeStatus } from './status.js';

describe('whose etcd answers count', () => {
  it('trusts only answers with the recorded cluster ID, and any answer before one is recorded', () => {
    expect(trustsAnswer({ clusterID: 'c1' }, 'etcd-a', 'c1')).toBe(true);
    expect(trustsAnswer({ clusterID: 'c1' }, 'etcd-a', 'c9')).toBe(false);
    expect(trustsAnswer({}, 'etcd-a', 'c9')).toBe(true);
  });

  it('trusts only the recorded seed during a recovery from a backup (it brings a new cluster ID)', () => {
    const recovery = { source: 'Backup', seed: 'etcd-seed' } as EtcdBackupRecoveryStatus;
    expect(trustsAnswer({ clusterID: 'c1', recovery }, 'etcd-seed', 'c2')).toBe(true);
    expect(trustsAnswer({ clusterID: 'c1', recovery }, 'etcd-a', 'c1')).toBe(false);
  });

  it('reports a foreign answer as Degraded ForeignMember, naming the member and both IDs', () => {
    const obs = observe({
      members: healthy(3),
      extraPods: ['etcd-s'],
      foreignAnswers: [{ member: 'etcd-s', clusterId: 'c9' }],
    });
    const status = computeStatus(obs, decide(obs, { newMemberName: names() }), new Date(0));
    const degraded = status.conditions?.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'ForeignMember' });
    expect(degraded?.message).toContain('etcd-s answered with cluster ID c9');
    expect(degraded?.message).toContain("not this cluster's c1");
    expect(status.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
  });
});
