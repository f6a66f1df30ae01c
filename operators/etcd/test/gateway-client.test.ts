// The gateway client against real etcd processes: the membership calls the
// runbook makes, in the order it makes them (seed, add learner, start it,
// promote once in sync, move leadership, remove).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { eventually } from '@switchboard/testing';

import { EtcdRequestError } from '../src/etcd/etcd-client.js';
import { GatewayEtcdClient } from '../src/etcd/gateway-client.js';
import { etcdBinary, loopbackAddress, startLoopbackMember } from './support/loopback-etcd.js';
import type { LoopbackMember } from './support/loopback-etcd.js';

const started: LoopbackMember[] = [];

afterAll(async () => {
  await Promise.all(started.map((m) => m.stop()));
});

describe('GatewayEtcdClient against real etcd', () => {
  it('grows a seed by a learner, promotes it, moves leadership to it and removes the seed', async () => {
    const seedAddr = await loopbackAddress('seed');
    const seed = startLoopbackMember(seedAddr, `seed=${seedAddr.peerURL}`, 'new');
    started.push(seed);
    const seedClient = new GatewayEtcdClient(seed.clientURL);
    await eventually(async () => expect(await seedClient.health()).toBe(true), { timeout: 20_000 });

    const list = await seedClient.memberList({ linearizable: true });
    expect(list.members).toHaveLength(1);
    expect(list.clusterId).toMatch(/^[0-9a-f]+$/);
    const seedId = list.members[0]!.id;
    const status = await seedClient.status();
    expect(status.memberId).toBe(seedId);
    expect(status.leaderId).toBe(seedId);
    expect(status.version).toMatch(/^3\.\d+\.\d+$/);

    const joinAddr = await loopbackAddress('joiner');
    const added = await seedClient.memberAdd(joinAddr.peerURL, { learner: true });
    expect(added).toMatchObject({ isLearner: true, name: '', peerURLs: [joinAddr.peerURL] });
    await expect(seedClient.memberAdd(joinAddr.peerURL, { learner: true })).rejects.toMatchObject({
      reason: 'MemberExists',
    });

    const joiner = startLoopbackMember(
      joinAddr,
      `seed=${seedAddr.peerURL},joiner=${joinAddr.peerURL}`,
      'existing',
    );
    started.push(joiner);
    await eventually(
      async () => {
        await seedClient.memberPromote(added.id);
      },
      { timeout: 30_000, interval: 500, message: 'learner promoted' },
    );
    const afterPromote = await seedClient.memberList({ linearizable: true });
    expect(afterPromote.members.map((m) => [m.id, m.isLearner]).sort()).toEqual(
      [
        [seedId, false],
        [added.id, false],
      ].sort(),
    );

    await seedClient.put('/switchboard/test', 'kept');
    const joinerClient = new GatewayEtcdClient(joiner.clientURL);
    await eventually(async () => expect(await joinerClient.get('/switchboard/test')).toBe('kept'));

    await seedClient.moveLeader(added.id);
    await eventually(async () => expect((await joinerClient.status()).leaderId).toBe(added.id));
    // The new leader refuses removals until it has seen its peer active for a while.
    await eventually(() => joinerClient.memberRemove(seedId), { timeout: 20_000, interval: 500 });
    const final = await joinerClient.memberList({ linearizable: true });
    expect(final.members.map((m) => m.id)).toEqual([added.id]);
    expect(await joinerClient.alarms()).toEqual([]);
  });

  it('streams a snapshot that etcdutl reads, at the revision the member reported, with its checksum trailer', async () => {
    const addr = await loopbackAddress('snap');
    const member = startLoopbackMember(addr, `snap=${addr.peerURL}`, 'new');
    started.push(member);
    const etcd = new GatewayEtcdClient(member.clientURL);
    await eventually(async () => expect(await etcd.health()).toBe(true), { timeout: 20_000 });
    for (let i = 0; i < 300; i++) await etcd.put(`/snap/${i}`, 'v'.repeat(512));
    const status = await etcd.status();
    expect(status.revision).toBeGreaterThanOrEqual(301);

    const chunks: Uint8Array[] = [];
    for await (const chunk of etcd.snapshot()) chunks.push(chunk);
    const file = Buffer.concat(chunks);
    expect(chunks.length).toBeGreaterThan(1);
    // As etcdctl writes it: the database, then the sha256 of the database.
    const db = file.subarray(0, file.length - 32);
    expect(file.subarray(file.length - 32)).toEqual(createHash('sha256').update(db).digest());

    // Only etcdutl of a built etcd line reads it; Debian's fallback has none.
    const etcdutl = join(dirname(etcdBinary()), 'etcdutl');
    if (etcdBinary().startsWith('/usr/bin')) return;
    const dir = mkdtempSync(join(tmpdir(), 'snapshot-'));
    try {
      writeFileSync(join(dir, 'snap.db'), file);
      const out = execFileSync(etcdutl, ['snapshot', 'status', join(dir, 'snap.db'), '-w', 'json'], {
        encoding: 'utf8',
      });
      const parsed = JSON.parse(out) as { revision: number; totalKey: number };
      expect(parsed.revision).toBe(status.revision);
      expect(parsed.totalKey).toBeGreaterThanOrEqual(300);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const aborted = AbortSignal.abort(new Error('test aborts'));
    const err: unknown = await (async () => {
      for await (const chunk of etcd.snapshot({ signal: aborted })) void chunk;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EtcdRequestError);
    expect(err).toMatchObject({ operation: 'snapshot', reason: 'Timeout' });
  });

  it('reports an unreachable endpoint as a typed error', async () => {
    const nowhere = await loopbackAddress('nowhere');
    const err: unknown = await new GatewayEtcdClient(nowhere.clientURL).memberList().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EtcdRequestError);
    expect(err).toMatchObject({ reason: 'Unreachable', operation: 'memberList' });
  });
});
