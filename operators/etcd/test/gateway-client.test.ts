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
      expect(BigInt(parsed.revision)).toBe(status.revision);
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

describe('GatewayEtcdClient space maintenance against real etcd', () => {
  it('recovers a member out of space: NOSPACE alarm, compaction, defragmentation, disarm, writes again', async () => {
    const addr = await loopbackAddress('full');
    // 4 MiB quota: a few hundred 16 KiB overwrites of the same keys fill it with history.
    const member = startLoopbackMember(addr, `full=${addr.peerURL}`, 'new', undefined, [
      `--quota-backend-bytes=${4 * 1024 * 1024}`,
    ]);
    started.push(member);
    const client = new GatewayEtcdClient(member.clientURL);
    await eventually(async () => expect(await client.health()).toBe(true), { timeout: 20_000 });

    const value = (i: number) => `${i}:`.padEnd(16 * 1024, 'x');
    let written = 0;
    let refusal: unknown;
    for (; written < 2000; written++) {
      try {
        await client.put(`/big/${written % 8}`, value(written));
      } catch (err) {
        refusal = err;
        break;
      }
    }
    expect(refusal).toMatchObject({ reason: 'NoSpace', operation: 'put' });
    const status = await client.status();
    expect(await client.alarms()).toEqual([{ memberId: status.memberId, alarm: 'NOSPACE' }]);
    // Health leaves NOSPACE to the space runbook: the member still serves reads.
    expect(await client.health()).toBe(true);
    expect(status.revision).toBeGreaterThan(BigInt(written));
    expect(status.dbSizeInUse).toBeLessThanOrEqual(status.dbSize);

    await client.compact(status.revision!);
    await expect(client.compact(status.revision!)).rejects.toMatchObject({ reason: 'Compacted' });
    await client.defragment();
    const after = await client.status();
    expect(after.dbSize).toBeLessThan(status.dbSize);
    await client.disarmAlarm(status.memberId, 'NOSPACE');
    await client.disarmAlarm(status.memberId, 'NOSPACE');
    expect(await client.alarms()).toEqual([]);

    await client.put('/big/after', 'accepted');
    expect(await client.get('/big/after')).toBe('accepted');
    // The latest value of every overwritten key survives compaction.
    const last = written - 1;
    expect(await client.get(`/big/${last % 8}`)).toBe(value(last));
    process.stderr.write(
      `loopback NOSPACE after ${written} writes of 16 KiB; db ${status.dbSize} -> ${after.dbSize} bytes after compaction and defragmentation\n`,
    );
  });
});

describe('GatewayEtcdClient range reads against real etcd', () => {
  it('reads every key under a prefix with its value in one call, and nothing outside it', async () => {
    const addr = await loopbackAddress('ranger');
    const member = startLoopbackMember(addr, `ranger=${addr.peerURL}`, 'new');
    started.push(member);
    const client = new GatewayEtcdClient(member.clientURL);
    await eventually(async () => expect(await client.health()).toBe(true), { timeout: 20_000 });

    await client.put('/a/1', 'one');
    await client.put('/a/2', 'twø');
    await client.put('/a/', 'the prefix itself');
    await client.put('/b/1', 'outside');
    await client.put('/a', 'shorter than the prefix');

    expect(await client.range('/a/')).toEqual(
      new Map([
        ['/a/', 'the prefix itself'],
        ['/a/1', 'one'],
        ['/a/2', 'twø'],
      ]),
    );
    expect(await client.range('/none/')).toEqual(new Map());
    await expect(client.range('')).rejects.toThrow('the prefix must not be empty');
  });
});
