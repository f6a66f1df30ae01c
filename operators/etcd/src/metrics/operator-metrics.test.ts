import { Registry } from '@switchboard/core';

import { healthy, idOf, observe } from '../../test/support/observation-fixture.js';
import { EtcdBackupMetrics, EtcdClusterMetrics } from './operator-metrics.js';

const key = { namespace: 'ns', name: 'etcd' };
const series = (text: string) => text.split('\n').filter((l) => l.startsWith('etcd_operator_'));

describe('etcd operator metrics', () => {
  it('counts clusters and members by state from the last observation, and forgets a deleted cluster', async () => {
    const registry = new Registry();
    const metrics = new EtcdClusterMetrics(registry);
    const obs = observe({
      members: [...healthy(2), { name: 'etcd-c', healthy: false }, { name: 'etcd-d', learner: true }],
      alarms: [{ memberId: idOf('etcd-b'), alarm: 'NOSPACE' }],
    });
    metrics.observed(key, obs, { kind: 'Converged' });
    metrics.observed({ namespace: 'ns', name: 'other' }, observe({ members: [], noQuorum: true }), {
      kind: 'Converged',
    });
    metrics.stepTaken(key, { kind: 'DisarmNoSpace', memberIds: [idOf('etcd-b')] });
    metrics.stepTaken(key, {
      kind: 'FinishSpaceRecovery',
      startedAt: '2026-11-28T05:00:00Z',
      why: 'NoSpace',
    });
    metrics.stepTaken(key, { kind: 'Wait', reason: 'x', message: 'y' });
    const text = await registry.metrics();
    expect(series(text)).toEqual(
      expect.arrayContaining([
        'etcd_operator_clusters 2',
        'etcd_operator_cluster_available{namespace="ns",cluster="etcd"} 1',
        'etcd_operator_cluster_available{namespace="ns",cluster="other"} 0',
        'etcd_operator_members{namespace="ns",cluster="etcd",state="healthy"} 2',
        'etcd_operator_members{namespace="ns",cluster="etcd",state="unhealthy"} 1',
        'etcd_operator_members{namespace="ns",cluster="etcd",state="learner"} 1',
        'etcd_operator_space_alarm{namespace="ns",cluster="etcd"} 1',
        'etcd_operator_space_recoveries_total{namespace="ns",cluster="etcd"} 1',
        'etcd_operator_steps_total{namespace="ns",cluster="etcd",step="DisarmNoSpace"} 1',
      ]),
    );
    expect(text).not.toContain('step="Wait"');

    metrics.deleted(key);
    const after = series(await registry.metrics());
    expect(after).toContain('etcd_operator_clusters 1');
    expect(after.filter((l) => l.includes('cluster="etcd"'))).toEqual([]);
  });

  it('counts backups by result and exports the last success time, until the backup is deleted', async () => {
    const registry = new Registry();
    const metrics = new EtcdBackupMetrics(registry);
    const backup = { namespace: 'ns', name: 'nightly' };
    metrics.observed(backup, undefined);
    metrics.finished(backup, 'failure');
    metrics.finished(backup, 'success');
    metrics.observed(backup, '2026-11-28T05:00:00Z');
    const text = series(await registry.metrics());
    expect(text).toEqual(
      expect.arrayContaining([
        'etcd_operator_backups_total{namespace="ns",backup="nightly",result="success"} 1',
        'etcd_operator_backups_total{namespace="ns",backup="nightly",result="failure"} 1',
        `etcd_operator_backup_last_success_timestamp_seconds{namespace="ns",backup="nightly"} ${Date.parse('2026-11-28T05:00:00Z') / 1000}`,
      ]),
    );
    metrics.deleted(backup);
    expect(series(await registry.metrics()).filter((l) => l.includes('nightly'))).toEqual([]);
  });
});
