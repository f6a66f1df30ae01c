import type { Client } from '@switchboard/core';
import { NotFoundError } from '@switchboard/core';

import type { EtcdBackup } from '../api/backup-types.js';
import type { EtcdCluster } from '../api/types.js';
import type { Pod, Secret } from '../kube/kube-types.js';
import { observeBackup } from './observe-backup.js';

const NOW = new Date('2026-11-28T02:00:00Z');
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function tlsCluster(tls: EtcdCluster['spec']['tls']): EtcdCluster {
  return {
    apiVersion: 'etcd.switchboard.dev/v1alpha1',
    kind: 'EtcdCluster',
    metadata: { name: 'main', namespace: 'ns', generation: 1, uid: 'u1' },
    spec: { size: 3, version: '3.6.16', storage: { type: 'Ephemeral' }, ...(tls ? { tls } : {}) },
    status: {
      conditions: [
        { type: 'Available', status: 'True', reason: 'Quorum', message: '', lastTransitionTime: '' },
      ],
      members: [
        { name: 'main-aaaaa', healthy: true, leader: true, learner: false },
        { name: 'main-bbbbb', healthy: true, leader: false, learner: false },
      ],
    },
  } as unknown as EtcdCluster;
}

const pod = (name: string, ip: string): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, status: { podIP: ip } }) as Pod;

const tlsSecret = (name: string, files: Record<string, string>): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'ns' },
  data: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, b64(v)])),
});

const full = { 'tls.crt': 'CERT', 'tls.key': 'KEY', 'ca.crt': 'CA' };

/** A Client that serves one cluster, its Pods, the given Secrets, and no Jobs. */
function fakeClient(cluster: EtcdCluster, secrets: Secret[]): { client: Client; secretsRead: string[] } {
  const secretsRead: string[] = [];
  const client = {
    resource: (type: { kind: string }) => ({
      get: ({ name }: { name: string }) => {
        if (type.kind === 'EtcdCluster' && name === 'main') return Promise.resolve(cluster);
        if (type.kind === 'Secret') {
          secretsRead.push(name);
          const found = secrets.find((s) => s.metadata.name === name);
          if (found) return Promise.resolve(found);
        }
        return Promise.reject(
          new NotFoundError({
            code: 404,
            reason: 'NotFound',
            message: 'not found',
            verb: 'get',
            resource: type.kind,
          }),
        );
      },
      list: () =>
        Promise.resolve({
          items: type.kind === 'Pod' ? [pod('main-aaaaa', '10.0.0.1'), pod('main-bbbbb', '10.0.0.2')] : [],
        }),
    }),
  } as unknown as Client;
  return { client, secretsRead };
}

function backup(destination: EtcdBackup['spec']['destination']): EtcdBackup {
  return {
    apiVersion: 'etcd.switchboard.dev/v1alpha1',
    kind: 'EtcdBackup',
    metadata: { name: 'nightly', namespace: 'ns', generation: 1 },
    spec: { clusterName: 'main', destination },
  };
}

const s3 = { s3: { endpoint: 'http://s3', bucket: 'b', credentialsSecret: { name: 'creds' } } };
const creds = tlsSecret('creds', { accessKeyID: 'a', secretAccessKey: 's' });
const generated = { client: { generate: true }, peer: { generate: true } };
const generatedSecrets = ['main-tls-server', 'main-tls-peer', 'main-tls-operator'].map((n) =>
  tlsSecret(n, full),
);

describe('the source of a backup, as its reader reaches it', () => {
  it('gives the operator an https Pod IP and the client Service name to check, for S3 from a TLS cluster', async () => {
    const { client } = fakeClient(tlsCluster(generated), [creds, ...generatedSecrets]);
    const obs = await observeBackup(client, backup(s3), NOW, undefined, 'pod-ip');
    expect(obs.destination).toMatchObject({ ready: true, kind: 's3' });
    expect(obs.source).toMatchObject({
      found: true,
      member: {
        name: 'main-bbbbb',
        endpoint: 'https://10.0.0.2:2379',
        clientTLSSecret: 'main-tls-operator',
        operatorTLS: {
          ready: true,
          material: { ca: 'CA', cert: 'CERT', key: 'KEY', serverName: 'main-client.ns.svc' },
        },
      },
    });
  });

  it('gives the operator the member DNS name, which the certificate carries, with dns addressing', async () => {
    const { client } = fakeClient(tlsCluster(generated), [creds, ...generatedSecrets]);
    const obs = await observeBackup(client, backup(s3), NOW, undefined, 'dns');
    const member = obs.source.found ? obs.source.member : undefined;
    expect(member?.endpoint).toBe('https://main-bbbbb.main.ns.svc:2379');
    expect(member?.operatorTLS).toEqual({ ready: true, material: { ca: 'CA', cert: 'CERT', key: 'KEY' } });
  });

  it('says which TLS Secret is missing or broken', async () => {
    const broken = tlsSecret('main-tls-operator', { 'tls.crt': 'CERT', 'ca.crt': 'CA' });
    const cases = [
      { secrets: [creds, ...generatedSecrets.slice(0, 2)], reason: 'TLSSecretNotFound', text: 'not found' },
      {
        secrets: [creds, ...generatedSecrets.slice(0, 2), broken],
        reason: 'TLSSecretInvalid',
        text: 'tls.key',
      },
    ];
    for (const { secrets, reason, text } of cases) {
      const { client } = fakeClient(tlsCluster(generated), secrets);
      const obs = await observeBackup(client, backup(s3), NOW, undefined, 'pod-ip');
      const tls = obs.source.found ? obs.source.member?.operatorTLS : undefined;
      expect(tls).toMatchObject({ ready: false, reason });
      expect(tls?.ready === false && tls.message).toContain('main-tls-operator');
      expect(tls?.ready === false && tls.message).toContain(text);
    }
  });

  it('reads no TLS Secret for a PVC Job, which mounts it and uses the DNS name', async () => {
    const { client, secretsRead } = fakeClient(tlsCluster(generated), generatedSecrets);
    const obs = await observeBackup(
      client,
      backup({ pvc: { claimName: 'backups' } }),
      NOW,
      undefined,
      'pod-ip',
    );
    expect(obs.source.found && obs.source.member).toEqual({
      name: 'main-bbbbb',
      endpoint: 'https://main-bbbbb.main.ns.svc:2379',
      clientTLSSecret: 'main-tls-operator',
    });
    expect(secretsRead).toEqual([]);
  });

  it('streams from a plain-http cluster by Pod IP, whatever the addressing, without TLS', async () => {
    for (const addressing of ['pod-ip', 'dns'] as const) {
      const { client, secretsRead } = fakeClient(tlsCluster(undefined), [creds]);
      const obs = await observeBackup(client, backup(s3), NOW, undefined, addressing);
      expect(obs.source.found && obs.source.member).toEqual({
        name: 'main-bbbbb',
        endpoint: 'http://10.0.0.2:2379',
      });
      expect(secretsRead).toEqual(['creds']);
    }
  });
});
