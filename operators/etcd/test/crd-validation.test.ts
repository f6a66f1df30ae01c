// The CRD's schema and CEL rules, proven against the real API server: each
// invalid spec is refused with a message naming the field, valid changes pass.
import type { Client, ResourceClient } from '@switchboard/core';
import { createTestNamespace, testKubeConfig } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../src/api/types.js';
import type { EtcdCluster, EtcdClusterSpec } from '../src/api/types.js';
import { installEtcdCrd } from './support/install-crd.js';
import { rejection } from './support/rejection.js';

let ns: TestNamespace;
let client: Client;
let clusters: ResourceClient<EtcdCluster>;

beforeAll(async () => {
  const kc = testKubeConfig();
  client = await installEtcdCrd(kc);
  ns = await createTestNamespace(kc, 'etcd-crd');
  clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
});

afterAll(async () => {
  await ns?.delete();
});

function cluster(name: string, spec: Partial<EtcdClusterSpec>): EtcdCluster {
  return {
    apiVersion: ETCD_API_VERSION,
    kind: ETCD_CLUSTER_KIND,
    metadata: { name, namespace: ns.name },
    spec: spec as EtcdClusterSpec,
  };
}

describe('EtcdCluster validation by the API server', () => {
  it('fills in defaults: size 3, persistent storage, preferred anti-affinity', async () => {
    const created = await clusters.create(cluster('defaults', {}));
    expect(created.spec).toMatchObject({
      size: 3,
      storage: { type: 'PersistentVolume', size: '1Gi' },
      antiAffinity: 'Preferred',
      paused: false,
    });
    expect(created.spec.version).toMatch(/^3\.\d+\.\d+$/);
  });

  it.each([0, 10, -1])('rejects size %i, naming spec.size', async (size) => {
    const message = await rejection(clusters.create(cluster(`size-${size < 0 ? 'neg' : size}`, { size })));
    expect(message).toContain('spec.size must be between 1 and 9');
  });

  it('rejects a version that is not X.Y.Z, naming spec.version', async () => {
    const message = await rejection(clusters.create(cluster('bad-version', { version: 'latest' })));
    expect(message).toContain('spec.version');
  });

  it('rejects a downgrade, naming spec.version and both versions', async () => {
    await clusters.create(cluster('downgrade', { version: '3.6.16' }));
    const message = await rejection(
      clusters.patch(
        { namespace: ns.name, name: 'downgrade' },
        { type: 'merge', body: { spec: { version: '3.5.35' } } },
      ),
    );
    expect(message).toContain('spec.version cannot be downgraded from 3.6.16 to 3.5.35');
  });

  it('rejects skipping a minor version, and accepts one minor up', async () => {
    await clusters.create(cluster('skip', { version: '3.5.35' }));
    const key = { namespace: ns.name, name: 'skip' };
    const message = await rejection(
      clusters.patch(key, { type: 'merge', body: { spec: { version: '3.7.0' } } }),
    );
    expect(message).toContain('spec.version cannot skip a minor version: from 3.5.35 to 3.7.0');
    const upgraded = await clusters.patch(key, { type: 'merge', body: { spec: { version: '3.6.16' } } });
    expect(upgraded.spec.version).toBe('3.6.16');
  });

  it('rejects a version older than 3.5.11 (no /livez and /readyz for the probes), naming the minimum', async () => {
    for (const version of ['3.5.10', '3.4.30']) {
      const message = await rejection(
        clusters.create(cluster(`old-${version.replaceAll('.', '-')}`, { version })),
      );
      expect(message).toContain(`spec.version ${version} is older than 3.5.11`);
    }
    const oldest = await clusters.create(cluster('oldest', { version: '3.5.11' }));
    expect(oldest.spec.version).toBe('3.5.11');
  });

  it.each([
    [
      'a storage size that is not a quantity',
      { storage: { type: 'PersistentVolume', size: 'ten gigs' } },
      'spec.storage.size must be a positive quantity',
    ],
    [
      'a zero storage size',
      { storage: { type: 'PersistentVolume', size: '0' } },
      'spec.storage.size must be a positive quantity',
    ],
    [
      'a storage class that is no name',
      { storage: { type: 'PersistentVolume', storageClassName: 'Fast SSD' } },
      'spec.storage.storageClassName must be a Kubernetes object name',
    ],
    [
      'a repository with a tag',
      { repository: 'quay.io/coreos/etcd:v3.6.16' },
      'spec.repository must be an image repository without tag or digest',
    ],
    ['a repository with spaces', { repository: 'my etcd' }, 'spec.repository must be an image repository'],
    [
      'a label value with spaces',
      { podTemplate: { labels: { team: 'data platform' } } },
      'spec.podTemplate.labels values must be label values',
    ],
    [
      'a label key with spaces',
      { podTemplate: { labels: { 'my team': 'data' } } },
      'spec.podTemplate.labels keys must be qualified names',
    ],
    [
      'an annotation key with two slashes',
      { podTemplate: { annotations: { 'a/b/c': 'x' } } },
      'spec.podTemplate.annotations keys must be qualified names',
    ],
    [
      'a node selector value too long',
      { podTemplate: { nodeSelector: { zone: 'z'.repeat(64) } } },
      'spec.podTemplate.nodeSelector',
    ],
    [
      'a memory limit that is not a quantity',
      { podTemplate: { resources: { limits: { memory: 'lots' } } } },
      'spec.podTemplate.resources.limits.memory',
    ],
    [
      'a cpu request that is not a quantity',
      { podTemplate: { resources: { requests: { cpu: '1 core' } } } },
      'spec.podTemplate.resources.requests.cpu',
    ],
    [
      'a compaction retention that is no duration',
      { etcdOptions: { autoCompactionRetention: 'one hour' } },
      'spec.etcdOptions.autoCompactionRetention must be a duration',
    ],
    [
      'a revision retention that is a duration',
      { etcdOptions: { autoCompactionMode: 'revision', autoCompactionRetention: '1h' } },
      'spec.etcdOptions.autoCompactionRetention must be a number of revisions',
    ],
    [
      'a TLS Secret name that is no name',
      { tls: { peer: { secretName: 'Peer Certs' } } },
      'spec.tls.peer.secretName must be a Kubernetes object name',
    ],
  ])('rejects %s, naming the field', async (what, spec, message) => {
    const name = `bad-${what.replaceAll(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`.slice(0, 60);
    expect(await rejection(clusters.create(cluster(name, spec as Partial<EtcdClusterSpec>)))).toContain(
      message,
    );
  });

  it('accepts well-formed quantities, names, labels and retention', async () => {
    const created = await clusters.create(
      cluster('well-formed', {
        repository: 'registry.local:5000/etcd',
        storage: { type: 'PersistentVolume', size: '512Mi', storageClassName: 'local-path' },
        podTemplate: {
          labels: { 'app.kubernetes.io/part-of': 'payments', tier: '' },
          annotations: { 'example.com/owner': 'team data, on call' },
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
        },
        etcdOptions: { autoCompactionMode: 'periodic', autoCompactionRetention: '1h30m' },
      }),
    );
    expect(created.spec.podTemplate?.resources?.limits).toEqual({ memory: '1Gi' });
  });

  it('rejects any storage change after creation, naming spec.storage', async () => {
    await clusters.create(cluster('storage', { storage: { type: 'PersistentVolume', size: '1Gi' } }));
    const key = { namespace: ns.name, name: 'storage' };
    const grow = await rejection(
      clusters.patch(key, { type: 'merge', body: { spec: { storage: { size: '2Gi' } } } }),
    );
    expect(grow).toContain('spec.storage is immutable after creation');
    const ephemeral = await rejection(
      clusters.patch(key, { type: 'merge', body: { spec: { storage: { type: 'Ephemeral' } } } }),
    );
    expect(ephemeral).toContain('spec.storage is immutable after creation');
  });

  it('keeps spec.recovery as it was, and bounds spec.recoveryDelaySeconds (default 60), naming the field', async () => {
    // An object written before the bound existed stays valid and gets the default.
    const manual = await clusters.create(cluster('recovery-manual', { recovery: 'manual' }));
    expect(manual.spec).toMatchObject({ recovery: 'manual', recoveryDelaySeconds: 60 });
    for (const seconds of [5, 86_401]) {
      const message = await rejection(
        clusters.create(cluster(`delay-${seconds}`, { recovery: 'auto', recoveryDelaySeconds: seconds })),
      );
      expect(message).toContain('spec.recoveryDelaySeconds must be between 10 and 86400');
    }
    const auto = await clusters.patch(
      { namespace: ns.name, name: 'recovery-manual' },
      { type: 'merge', body: { spec: { recovery: 'auto', recoveryDelaySeconds: 10 } } },
    );
    expect(auto.spec).toMatchObject({ recovery: 'auto', recoveryDelaySeconds: 10 });
    const other = await rejection(
      clusters.patch(
        { namespace: ns.name, name: 'recovery-manual' },
        { type: 'merge', body: { spec: { recovery: 'sometimes' } } },
      ),
    );
    expect(other).toContain('spec.recovery');
  });

  it('bounds spec.memberFailureTimeoutSeconds (default 300), naming the field', async () => {
    const defaulted = await clusters.create(cluster('failure-default', {}));
    expect(defaulted.spec.memberFailureTimeoutSeconds).toBe(300);
    for (const seconds of [10, 86_401]) {
      const message = await rejection(
        clusters.create(cluster(`failure-${seconds}`, { memberFailureTimeoutSeconds: seconds })),
      );
      expect(message).toContain('spec.memberFailureTimeoutSeconds must be between 30 and 86400');
    }
    const shorter = await clusters.patch(
      { namespace: ns.name, name: 'failure-default' },
      { type: 'merge', body: { spec: { memberFailureTimeoutSeconds: 30 } } },
    );
    expect(shorter.spec.memberFailureTimeoutSeconds).toBe(30);
  });

  it('defaults spec.persistentVolumeClaimRetentionPolicy to Retain on deletion and scale-down, and accepts only Retain or Delete', async () => {
    const defaulted = await clusters.create(cluster('retention', {}));
    expect(defaulted.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    const partial = await clusters.create(
      cluster('retention-partial', { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } }),
    );
    expect(partial.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Delete',
      whenScaled: 'Retain',
    });
    for (const field of ['whenDeleted', 'whenScaled']) {
      const message = await rejection(
        clusters.create(
          cluster(`retention-${field.toLowerCase()}`, {
            persistentVolumeClaimRetentionPolicy: { [field]: 'Keep' },
          }),
        ),
      );
      expect(message).toContain(`spec.persistentVolumeClaimRetentionPolicy.${field}`);
      expect(message).toContain('"Keep"');
    }
  });

  it('rejects a defragmentation schedule that is not cron, a macro or @every, naming the field', async () => {
    const message = await rejection(
      clusters.create(cluster('bad-defrag', { defragmentation: { schedule: 'every day' } })),
    );
    expect(message).toContain('spec.defragmentation.schedule must be a 5-field cron expression');
    const good = await clusters.create(
      cluster('good-defrag', { defragmentation: { schedule: '@every 1h' } }),
    );
    expect(good.spec.defragmentation).toEqual({ schedule: '@every 1h' });
  });

  it('defaults spec.monitoring.serviceMonitor to true when monitoring is given, and takes false', async () => {
    const on = await clusters.create(cluster('monitored', { monitoring: {} }));
    expect(on.spec.monitoring).toEqual({ serviceMonitor: true });
    const off = await clusters.create(cluster('unmonitored', { monitoring: { serviceMonitor: false } }));
    expect(off.spec.monitoring).toEqual({ serviceMonitor: false });
  });

  it('accepts changes to size and pause', async () => {
    await clusters.create(cluster('mutable', { size: 3 }));
    const updated = await clusters.patch(
      { namespace: ns.name, name: 'mutable' },
      { type: 'merge', body: { spec: { size: 5, paused: true } } },
    );
    expect(updated.spec).toMatchObject({ size: 5, paused: true });
  });

  it('accepts generated or named TLS Secrets on each side', async () => {
    const generated = await clusters.create(
      cluster('tls-generated', { tls: { client: { generate: true }, peer: { generate: true } } }),
    );
    expect(generated.spec.tls).toEqual({ client: { generate: true }, peer: { generate: true } });
    const named = await clusters.create(
      cluster('tls-named', {
        tls: { client: { serverSecretName: 'srv', operatorSecretName: 'op' }, peer: { secretName: 'peer' } },
      }),
    );
    expect(named.spec.tls?.peer).toEqual({ secretName: 'peer' });
  });

  it('rejects a TLS side that is neither generated nor fully named, naming the field', async () => {
    const half = await rejection(
      clusters.create(cluster('tls-half', { tls: { client: { serverSecretName: 'srv' } } })),
    );
    expect(half).toContain(
      'spec.tls.client: set either generate: true, or both serverSecretName and operatorSecretName',
    );
    const both = await rejection(
      clusters.create(cluster('tls-both', { tls: { peer: { generate: true, secretName: 'peer' } } })),
    );
    expect(both).toContain('spec.tls.peer: set either generate: true or secretName');
    const neither = await rejection(clusters.create(cluster('tls-neither', { tls: { peer: {} } })));
    expect(neither).toContain('spec.tls.peer: set either generate: true or secretName');
  });

  it('rejects switching an existing cluster between http and https, or changing its TLS', async () => {
    await clusters.create(cluster('plain', {}));
    const toTLS = await rejection(
      clusters.patch(
        { namespace: ns.name, name: 'plain' },
        { type: 'merge', body: { spec: { tls: { client: { generate: true } } } } },
      ),
    );
    expect(toTLS).toContain(
      'spec.tls is immutable after creation: switching an existing cluster between http and https is not supported',
    );
    await clusters.create(cluster('secure', { tls: { client: { generate: true } } }));
    const key = { namespace: ns.name, name: 'secure' };
    const toPlain = await rejection(
      clusters.patch(key, { type: 'json', ops: [{ op: 'remove', path: '/spec/tls' }] }),
    );
    expect(toPlain).toContain('spec.tls is immutable after creation');
    const addPeer = await rejection(
      clusters.patch(key, { type: 'merge', body: { spec: { tls: { peer: { generate: true } } } } }),
    );
    expect(addPeer).toContain('spec.tls is immutable after creation');
  });

  it('keeps exactly one of claimName or s3 in a recovery from a backup (status.recovery), naming the field', async () => {
    await clusters.create(cluster('recovering', {}));
    const key = { namespace: ns.name, name: 'recovering' };
    const record = {
      source: 'Backup',
      backupName: 'offsite',
      snapshot: 'recovering-20261128-020000.db',
      path: 'team/offsite/recovering-20261128-020000.db',
      sha256: 'a'.repeat(64),
      revision: 42,
      seed: 'recovering-abcde',
      previousClusterID: '1234',
      startedAt: '2026-11-28T03:00:00Z',
      phase: 'Clearing',
    };
    const s3 = { endpoint: 'http://objects:8333', bucket: 'etcd-backups', credentialsSecret: 'offsite-s3' };
    const write = (recovery: object) =>
      clusters.status.patch(key, { type: 'merge', body: { status: { recovery } } });
    for (const wrong of [{ ...record, claimName: 'backups', s3 }, record]) {
      expect(await rejection(write(wrong))).toContain(
        'status.recovery from a backup must set exactly one of claimName or s3',
      );
    }
    const { bucket: _bucket, ...noBucket } = s3;
    expect(await rejection(write({ ...record, s3: noBucket }))).toContain('status.recovery.s3.bucket');
    const fromS3 = await write({ ...record, s3: { ...s3, region: 'eu-west-1', forcePathStyle: true } });
    expect(fromS3.status?.recovery).toMatchObject({
      s3: { ...s3, region: 'eu-west-1', forcePathStyle: true },
    });
    const fromPvc = await write({ s3: null, claimName: 'backups' });
    expect(fromPvc.status?.recovery).toMatchObject({ claimName: 'backups' });
    expect(fromPvc.status?.recovery).not.toHaveProperty('s3');
  });
});
