// The Memcached operator on the local cluster's real node: pods run Debian's
// memcached (the image catalog assembles `docker.io/library/memcached:1.6`
// from it), the status turns Available, and memcached answers through the
// Service. Skipped, with the reason printed, where the cluster has no node.
import { connect } from 'node:net';
import { join } from 'node:path';

import { Client } from '@switchboard/core';
import type { ObjectKey } from '@switchboard/core';
import {
  createTestNamespace,
  eventually,
  installCrds,
  testKubeConfig,
  whyNoNode,
} from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';

import { MemcachedResource } from '../src/api.js';
import { addMemcachedController } from '../src/controller.js';
import type { Service } from '../src/kube-types.js';
import { ServiceType } from '../src/kube-types.js';
import { runOperator } from './support/harness.js';
import type { RunningOperator } from './support/harness.js';

const skipReason = await whyNoNode();
if (skipReason) process.stderr.write(`memcached node e2e skipped: ${skipReason}\n`);
const describeOnNode = skipReason ? describe.skip : describe;

/** Sends one memcached text-protocol command and resolves with the first reply line. */
function memcachedCommand(host: string, port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: 3000 });
    let reply = '';
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply.split('\r\n')[0] ?? '');
      }
    });
    socket.on('timeout', () => socket.destroy(new Error(`no answer from ${host}:${port}`)));
    socket.on('error', reject);
  });
}

describeOnNode('Memcached operator on a real node', () => {
  const kc = skipReason ? undefined! : testKubeConfig();
  let client: Client;
  let ns: TestNamespace;
  let operator: RunningOperator;

  beforeAll(async () => {
    client = Client.fromKubeConfig(kc);
    await installCrds(kc, [MemcachedResource.crd()], { fieldManager: 'memcached-tests' });
    ns = await createTestNamespace(kc, 'memcached-node');
    operator = await runOperator(kc, ns.name, join(import.meta.dirname, '..', 'config', 'rbac'), (host) => {
      addMemcachedController(host);
    });
  });

  afterAll(async () => {
    await operator?.stop();
    await ns?.delete();
  });

  it('runs spec.size memcached pods, turns Available, and memcached answers through its Service', async () => {
    const key: ObjectKey = { namespace: ns.name, name: 'cache' };
    const memcacheds = MemcachedResource.client(client);
    await memcacheds.create({
      apiVersion: MemcachedResource.apiVersion,
      kind: MemcachedResource.kind,
      metadata: { name: 'cache', namespace: ns.name },
      spec: { size: 2 },
    });
    const live = await eventually(
      async () => {
        const m = await memcacheds.get(key);
        expect(m.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
        expect(m.status?.nodes).toHaveLength(2);
        return m;
      },
      { timeout: 90_000, message: 'Memcached Available with 2 pods' },
    );
    expect(live.status?.nodes?.every((n) => n.startsWith('cache-'))).toBe(true);
    const service = await client.resource<Service>(ServiceType).get(key);
    const reply = await eventually(() => memcachedCommand(service.spec.clusterIP ?? '', 11211, 'version'), {
      timeout: 30_000,
    });
    expect(reply).toMatch(/^VERSION 1\.6\./);
  });

  it('scales down to one pod and reports it', async () => {
    const key: ObjectKey = { namespace: ns.name, name: 'cache' };
    const memcacheds = MemcachedResource.client(client);
    await memcacheds.patch(key, { type: 'merge', body: { spec: { size: 1 } } });
    await eventually(
      async () => {
        const m = await memcacheds.get(key);
        expect(m.status?.nodes).toHaveLength(1);
        expect(m.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({
          status: 'True',
          observedGeneration: m.metadata.generation,
        });
      },
      { timeout: 60_000, message: 'Memcached scaled to 1 pod' },
    );
  });
});
