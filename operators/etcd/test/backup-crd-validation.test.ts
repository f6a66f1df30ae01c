// The EtcdBackup CRD's schema and CEL rules, and EtcdCluster's
// spec.bootstrap, proven against the real API server: each invalid spec is
// refused with a message naming the field; valid ones pass with defaults.
import type { Client, ResourceClient } from '@switchboard/core';
import { createTestNamespace, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import type { EtcdBackup, EtcdBackupSpec } from '../src/api/backup-types.js';
import { ETCD_BACKUP_KIND } from '../src/api/backup-types.js';
import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../src/api/types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../src/api/types.js';
import { installEtcdCrd } from './support/install-crd.js';
import { rejection } from './support/rejection.js';

let ns: TestNamespace;
let client: Client;
let backups: ResourceClient<EtcdBackup>;
let clusters: ResourceClient<EtcdCluster>;

beforeAll(async () => {
  const kc = testKubeConfig();
  client = await installEtcdCrd(kc);
  ns = await createTestNamespace(kc, 'etcd-backup-crd');
  backups = client.resource<EtcdBackup>({ apiVersion: ETCD_API_VERSION, kind: ETCD_BACKUP_KIND });
  clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
});

afterAll(async () => {
  await ns?.delete();
});

const pvc = { pvc: { claimName: 'backups' } };

function backup(name: string, spec: Partial<EtcdBackupSpec>): EtcdBackup {
  return {
    apiVersion: ETCD_API_VERSION,
    kind: ETCD_BACKUP_KIND,
    metadata: { name, namespace: ns.name },
    spec: { clusterName: 'main', destination: pvc, ...spec },
  };
}

describe('EtcdBackup validation by the API server', () => {
  it('fills in defaults: 5 kept snapshots, a 600 s deadline, not suspended', async () => {
    const created = await backups.create(backup('defaults', {}));
    expect(created.spec).toMatchObject({ maxBackups: 5, timeoutSeconds: 600, suspend: false });
  });

  it('accepts cron, macros and @every schedules, and an S3 destination', async () => {
    for (const [i, schedule] of [
      '*/15 * * * *',
      '0 3 * * mon-fri',
      '@daily',
      '@every 30s',
      '@every 1h30m',
    ].entries())
      await backups.create(backup(`schedule-${i}`, { schedule }));
    await backups.create(
      backup('s3', {
        destination: {
          s3: {
            endpoint: 'https://minio.example:9000',
            bucket: 'etcd-backups',
            credentialsSecret: { name: 's3' },
          },
        },
      }),
    );
  });

  it.each([
    ['no destination', { destination: {} }, 'spec.destination must set exactly one of pvc or s3'],
    [
      'two destinations',
      {
        destination: {
          ...pvc,
          s3: { endpoint: 'https://s3', bucket: 'b-1', credentialsSecret: { name: 's' } },
        },
      },
      'spec.destination must set exactly one of pvc or s3',
    ],
    [
      'an absolute path',
      { destination: { pvc: { claimName: 'b', path: '/etc' } } },
      'spec.destination.pvc.path',
    ],
    [
      'a path with ..',
      { destination: { pvc: { claimName: 'b', path: 'a/../b' } } },
      'spec.destination.pvc.path',
    ],
    [
      'a path with a space',
      { destination: { pvc: { claimName: 'b', path: 'a b' } } },
      'spec.destination.pvc.path',
    ],
    [
      'an S3 endpoint that is not a URL',
      { destination: { s3: { endpoint: 'minio:9000', bucket: 'b-1', credentialsSecret: { name: 's' } } } },
      'spec.destination.s3.endpoint must be an http:// or https:// URL',
    ],
    [
      'a bad bucket',
      { destination: { s3: { endpoint: 'https://s3', bucket: 'B', credentialsSecret: { name: 's' } } } },
      'spec.destination.s3.bucket',
    ],
    ['a schedule with 4 fields', { schedule: '* * * *' }, 'spec.schedule must be a 5-field cron expression'],
    ['a schedule in words', { schedule: 'every day' }, 'spec.schedule must be a 5-field cron expression'],
    ['maxBackups 0', { maxBackups: 0 }, 'spec.maxBackups must be between 1 and 100'],
    ['maxBackups 101', { maxBackups: 101 }, 'spec.maxBackups must be between 1 and 100'],
    ['a 5 s timeout', { timeoutSeconds: 5 }, 'spec.timeoutSeconds must be between 10 and 86400'],
    ['a cluster name that is no name', { clusterName: 'Main Cluster' }, 'spec.clusterName must be the name'],
    [
      'a claim name that is no name',
      { destination: { pvc: { claimName: 'My_Backups' } } },
      'spec.destination.pvc.claimName must be a Kubernetes object name',
    ],
    [
      'a credentials Secret name that is no name',
      {
        destination: {
          s3: { endpoint: 'https://s3', bucket: 'b-1', credentialsSecret: { name: 'S3 keys' } },
        },
      },
      'spec.destination.s3.credentialsSecret.name must be a Kubernetes object name',
    ],
    [
      'an S3 prefix with ..',
      {
        destination: {
          s3: { endpoint: 'https://s3', bucket: 'b-1', prefix: 'a/../b', credentialsSecret: { name: 's' } },
        },
      },
      'spec.destination.s3.prefix',
    ],
    [
      'an S3 region with spaces',
      {
        destination: {
          s3: { endpoint: 'https://s3', bucket: 'b-1', region: 'EU West', credentialsSecret: { name: 's' } },
        },
      },
      'spec.destination.s3.region must be a region name',
    ],
  ])('rejects %s, naming the field', async (what, spec, message) => {
    const name = `bad-${what.replaceAll(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`.slice(0, 60);
    expect(await rejection(backups.create(backup(name, spec as Partial<EtcdBackupSpec>)))).toContain(message);
  });

  it('refuses to change the source cluster or the destination after creation', async () => {
    await backups.create(backup('fixed', {}));
    const key = { namespace: ns.name, name: 'fixed' };
    const cluster = await rejection(
      backups.patch(key, { type: 'merge', body: { spec: { clusterName: 'other' } } }),
    );
    expect(cluster).toContain('spec.clusterName is immutable');
    const dest = await rejection(
      backups.patch(key, {
        type: 'merge',
        body: { spec: { destination: { pvc: { claimName: 'elsewhere' } } } },
      }),
    );
    expect(dest).toContain('spec.destination is immutable');
    const changed = await backups.patch(key, {
      type: 'merge',
      body: { spec: { maxBackups: 2, schedule: '@hourly' } },
    });
    expect(changed.spec).toMatchObject({ maxBackups: 2, schedule: '@hourly' });
  });
});

describe('EtcdCluster spec.bootstrap and spec.recovery validation by the API server', () => {
  function cluster(name: string, spec: Partial<EtcdClusterSpec>): EtcdCluster {
    return {
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_CLUSTER_KIND,
      metadata: { name, namespace: ns.name },
      spec: spec as EtcdClusterSpec,
    };
  }

  it('defaults spec.recovery to manual and accepts only manual or auto', async () => {
    const created = await clusters.create(cluster('recovery-default', {}));
    expect(created.spec.recovery).toBe('manual');
    await clusters.create(cluster('recovery-auto', { recovery: 'auto' }));
    const message = await rejection(
      clusters.create(cluster('recovery-bad', { recovery: 'sometimes' as 'auto' })),
    );
    expect(message).toContain('spec.recovery');
  });

  it('refuses a backup name or snapshot that is no name, naming the field', async () => {
    const backupName = await rejection(
      clusters.create(
        cluster('bad-backup-name', { bootstrap: { restore: { backupName: 'Nightly Backup' } } }),
      ),
    );
    expect(backupName).toContain('spec.bootstrap.restore.backupName must be a Kubernetes object name');
    const snapshot = await rejection(
      clusters.create(
        cluster('bad-snapshot', {
          bootstrap: { restore: { backupName: 'nightly', snapshot: '../etc/passwd' } },
        }),
      ),
    );
    expect(snapshot).toContain('spec.bootstrap.restore.snapshot must be a file name');
  });

  it('needs a backup name to restore from', async () => {
    const message = await rejection(
      clusters.create(cluster('no-backup', { bootstrap: { restore: {} as { backupName: string } } })),
    );
    expect(message).toContain('spec.bootstrap.restore.backupName');
  });

  it('refuses to add, change or remove spec.bootstrap after creation', async () => {
    await clusters.create(cluster('restored', { bootstrap: { restore: { backupName: 'nightly' } } }));
    await clusters.create(cluster('plain', {}));
    const change = await rejection(
      clusters.patch(
        { namespace: ns.name, name: 'restored' },
        { type: 'merge', body: { spec: { bootstrap: { restore: { backupName: 'other' } } } } },
      ),
    );
    expect(change).toContain('spec.bootstrap is immutable after creation');
    const remove = await rejection(
      clusters.patch(
        { namespace: ns.name, name: 'restored' },
        { type: 'merge', body: { spec: { bootstrap: null } } },
      ),
    );
    expect(remove).toContain('spec.bootstrap is immutable after creation');
    const add = await rejection(
      clusters.patch(
        { namespace: ns.name, name: 'plain' },
        { type: 'merge', body: { spec: { bootstrap: { restore: { backupName: 'nightly' } } } } },
      ),
    );
    expect(add).toContain('spec.bootstrap is immutable after creation');
  });
});
