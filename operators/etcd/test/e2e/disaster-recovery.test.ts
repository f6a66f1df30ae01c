// Disaster recovery on the real node: 2 of 3 members lose their Pods and
// data (PVCs deleted while the operator is down, as after losing two nodes),
// so quorum can never come back. With `recovery: manual` nothing happens
// until the annotation is set; then the cluster is rebuilt from the survivor
// (--force-new-cluster) and grows back to 3 members, with the data the
// survivor had acknowledged. With `recovery: auto` the same happens without
// the annotation once the wait bound has passed: the survivor is on record in
// status before anything is changed, and an operator restarted half-way
// follows that record. Then all 3 lose their data, with `recovery: auto` and
// EtcdBackups taken before: the cluster is rebuilt from the newest snapshot
// (the operator killed and restarted half-way), every key written before it
// there, none written after, and grows back to 3 members.
// Members that merely stop answering (cut off the network) lose nothing: their PVCs are
// quarantined, not deleted, and the cluster grows back under new member
// names. An operator that reaches only one member, without quorum, while
// the member Pods report Ready, recovers nothing.
// All use a short wait bound (spec.recoveryDelaySeconds).
import { jest } from '@jest/globals';
import type { KubeConfig } from '@kubernetes/client-node';
import { AlreadyExistsError, isNotFound } from '@switchboard/core';
import type { Client, ObjectKey, ResourceClient } from '@switchboard/core';
import {
  TEST_ENV,
  attachLocalCluster,
  createTestNamespace,
  eventually,
  testKubeConfig,
  whyNoNode,
} from '@switchboard/testing';
import type { Faults, TestNamespace } from '@switchboard/testing';

import type { EtcdBackup } from '../../src/api/backup-types.js';
import { ETCD_BACKUP_KIND } from '../../src/api/backup-types.js';
import { ETCD_API_VERSION, ETCD_CLUSTER_KIND } from '../../src/api/types.js';
import type {
  EtcdBackupRecoveryStatus,
  EtcdCluster,
  EtcdClusterSpec,
  EtcdMemberRecoveryStatus,
  EtcdRecoveryStatus,
} from '../../src/api/types.js';
import type { EtcdClientFactory, EtcdMember } from '../../src/etcd/etcd-client.js';
import { EtcdRequestError } from '../../src/etcd/etcd-client.js';
import { GatewayEtcdClient } from '../../src/etcd/gateway-client.js';
import type { PersistentVolumeClaim, Pod } from '../../src/kube/kube-types.js';
import { PodType, PvcType } from '../../src/kube/kube-types.js';
import {
  CLUSTER_LABEL,
  CLUSTER_UID_LABEL,
  MEMBER_LABEL,
  QUARANTINE_LABEL,
  QUARANTINE_NOTE_ANNOTATION,
  memberLabels,
} from '../../src/kube/labels.js';
import { FORCE_NEW_CLUSTER_FLAG } from '../../src/kube/member-pod.js';
import { RECOVER_ANNOTATION } from '../../src/runbook/recover.js';
import { RESTORE_REVISION_BUMP } from '../../src/runbook/restore.js';
import {
  expectKeysOnEveryMember,
  memberClients,
  memberPods,
  readCluster,
  readPrefix,
  waitHealthy,
  writeKeys,
} from '../support/etcd-cluster-probe.js';
import { installEtcdCrd } from '../support/install-crd.js';
import { loseMembersWithData } from '../support/member-loss.js';
import { runOperator } from '../support/run-operator.js';
import type { RunningOperator } from '../support/run-operator.js';

const skipReason = await whyNoNode();
if (skipReason) process.stderr.write(`etcd disaster recovery e2e skipped: ${skipReason}\n`);
const describeE2E = skipReason ? describe.skip : describe;
// Cutting members off needs the local cluster's fault injection (its folder).
const clusterDir = process.env[TEST_ENV.clusterDir];
if (!skipReason && !clusterDir)
  process.stderr.write(`the cut-off-members recovery case is skipped: ${TEST_ENV.clusterDir} is not set\n`);
const itWithFaults = clusterDir ? it : it.skip;
// One retry, with the first failure logged (see member-faults.test.ts for why).
jest.retryTimes(1, { logErrorsBeforeRetry: true });
const V36 = '3.6.16';
/** spec.recoveryDelaySeconds of the suite's clusters (the API's minimum is 10). */
const DELAY_SECONDS = 15;
const DELAY_MS = DELAY_SECONDS * 1000;
/** The bound of the `recovery: auto` survivor case: the API's minimum. */
const AUTO_DELAY_SECONDS = 10;
const AUTO_DELAY_MS = AUTO_DELAY_SECONDS * 1000;

describeE2E('etcd disaster recovery on a real node', () => {
  const kc: KubeConfig = skipReason ? undefined! : testKubeConfig();
  let client: Client;
  let ns: TestNamespace;
  let operator: RunningOperator | undefined;
  let clusters: ResourceClient<EtcdCluster>;

  beforeAll(async () => {
    client = await installEtcdCrd(kc);
    ns = await createTestNamespace(kc, 'etcd-dr');
    clusters = client.resource<EtcdCluster>({ apiVersion: ETCD_API_VERSION, kind: ETCD_CLUSTER_KIND });
  });

  afterEach(async () => {
    await operator?.stop();
    operator = undefined;
  });

  afterAll(async () => {
    await ns?.delete();
  });

  /** An EtcdCluster `name` of the test namespace. */
  async function createCluster(name: string, spec: Partial<EtcdClusterSpec>): Promise<void> {
    await clusters.create({
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_CLUSTER_KIND,
      metadata: { name, namespace: ns.name },
      spec: spec as EtcdClusterSpec,
    });
  }

  /** A 3-member cluster `name` with these recovery settings, once healthy; its member list. */
  async function createHealthyThree(
    name: string,
    recovery: Pick<EtcdClusterSpec, 'recovery' | 'recoveryDelaySeconds'>,
  ): Promise<EtcdMember[]> {
    await createCluster(name, { size: 3, version: V36, ...recovery });
    return waitHealthy(client, { namespace: ns.name, name }, 3, V36, 180_000);
  }

  /** A cluster that lost 2 of its 3 members with their data: quorum can never come back by itself. */
  interface QuorumLoss {
    key: ObjectKey;
    /** The member list before the loss. */
    before: EtcdMember[];
    /** The member left with its Pod (UID `survivorUid`) and PVC, and the two that lost both. */
    survivor: string;
    survivorUid: string;
    victims: string[];
    /** Keys acknowledged by the cluster and served from the survivor's own data before the loss. */
    written: Map<string, string>;
    /** When the victims' Pods were deleted: quorum was lost then. */
    lostAt: number;
  }

  /**
   * Creates a 3-member cluster `name` (`recovery` settings as given), writes
   * keys, then takes 2 members' Pods and PVCs while the operator is down (as
   * after losing two nodes, so nothing restarts half of them) and starts the
   * operator again.
   */
  async function loseTwoOfThree(
    name: string,
    recovery: Pick<EtcdClusterSpec, 'recovery' | 'recoveryDelaySeconds'>,
    /** How the victims are lost; resolves with when (default: Pods and PVCs deleted). */
    lose: (key: ObjectKey, victims: string[]) => Promise<number> = (key, victims) =>
      loseMembersWithData(client, key, victims),
  ): Promise<QuorumLoss> {
    const key = { namespace: ns.name, name };
    operator = await runOperator(kc, ns.name);
    const before = await createHealthyThree(name, recovery);
    const written = await writeKeys(client, key, '/dr/', 100);

    await operator.stop();
    const pods = await memberPods(client, key);
    const [survivor, ...victims] = pods.map((p) => p.metadata.name ?? '').sort();
    const survivorPod = pods.find((p) => p.metadata.name === survivor)!;
    // Acknowledged by the survivor too: it serves every key from its own data (a serializable read).
    await eventually(
      async () => {
        const held = await readPrefix(`http://${survivorPod.status?.podIP}:2379`, '/dr/', {
          serializable: true,
        });
        expect([...written].filter(([k, v]) => held.get(k) !== v)).toEqual([]);
      },
      { message: `every written key on ${survivor}` },
    );
    const lostAt = await lose(key, victims);
    operator = await runOperator(kc, ns.name);
    return {
      key,
      before,
      survivor: survivor!,
      survivorUid: survivorPod.metadata.uid ?? '',
      victims,
      written,
      lostAt,
    };
  }

  /**
   * Waits until the cluster of `loss` is back to 3 healthy voters, rebuilt
   * from its survivor (same member ID; the other two are new members), with
   * no recovery record, annotation or forced member left, and every key
   * written before the loss on every member. Returns when it was Available.
   */
  async function expectRebuiltFromSurvivor(loss: QuorumLoss): Promise<number> {
    const after = await waitHealthy(client, loss.key, 3, V36, 180_000);
    const availableAt = Date.now();
    const survivorId = loss.before.find((m) => m.name === loss.survivor)?.id;
    expect(survivorId).toBeDefined();
    expect(after.map((m) => m.id)).toContain(survivorId);
    const others = after.filter((m) => m.id !== survivorId);
    expect(others.filter((m) => loss.before.some((b) => b.id === m.id))).toEqual([]);
    await eventually(async () => {
      const done = await readCluster(client, loss.key);
      expect(done.status?.recovery).toBeUndefined();
      expect(done.status?.quorumLostSince).toBeUndefined();
      expect(done.metadata.annotations?.[RECOVER_ANNOTATION]).toBeUndefined();
    });
    for (const pod of await memberPods(client, loss.key))
      expect(pod.spec.containers[0]?.args).not.toContain(FORCE_NEW_CLUSTER_FLAG);
    await expectKeysOnEveryMember(client, loss.key, loss.written);
    return availableAt;
  }

  it('with recovery manual, waits for the annotation, then rebuilds from the survivor and grows back to 3 with its data', async () => {
    // A fresh name per attempt (the suite retries once).
    const name = `dr-${Date.now().toString(36).slice(-5)}`;
    const loss = await loseTwoOfThree(name, { recovery: 'manual', recoveryDelaySeconds: DELAY_SECONDS });
    const { key, survivor } = loss;

    // Manual: past the wait bound, still nothing but the survivor, unchanged.
    const since = await eventually(
      async () => {
        const status = (await readCluster(client, key)).status;
        expect(status?.quorumLostSince).toBeDefined();
        return Date.parse(status!.quorumLostSince!);
      },
      { timeout: 30_000 },
    );
    await eventually(() => expect(Date.now() - since).toBeGreaterThan(DELAY_MS + 5000), {
      timeout: DELAY_MS + 30_000,
      interval: 1000,
    });
    const waiting = await readCluster(client, key);
    expect(waiting.status?.recovery).toBeUndefined();
    expect(waiting.status?.phase).toBe('Unavailable');
    expect((await memberPods(client, key)).map((p) => p.metadata.name)).toEqual([survivor]);
    expect((await memberPods(client, key))[0]?.metadata.uid).toBe(loss.survivorUid);

    const annotatedAt = Date.now();
    await clusters.patch(key, {
      type: 'merge',
      body: { metadata: { annotations: { [RECOVER_ANNOTATION]: 'now' } } },
    });
    await eventually(
      async () => expect((await readCluster(client, key)).status?.recovery).toMatchObject({ survivor }),
      { timeout: 30_000 },
    );
    const availableAt = await expectRebuiltFromSurvivor(loss);
    process.stderr.write(
      `recovery from the annotation to 3 healthy members: ${((availableAt - annotatedAt) / 1000).toFixed(1)} s\n`,
    );
  }, 420_000);

  /** Every distinct status.recovery of `key` seen (polled every 250 ms) until stopped. */
  function recordsSeen(key: ObjectKey): { stop(): Promise<EtcdRecoveryStatus[]> } {
    const seen = new Map<string, EtcdRecoveryStatus>();
    let running = true;
    const loop = (async () => {
      while (running) {
        const record = await readCluster(client, key).then(
          (c) => c.status?.recovery,
          () => undefined,
        );
        if (record !== undefined) seen.set(JSON.stringify(record), record);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    return {
      async stop() {
        running = false;
        await loop;
        return [...seen.values()];
      },
    };
  }

  it('with recovery auto and no annotation, records the survivor before acting, follows the record across an operator restart, and grows back to 3 with every acknowledged key', async () => {
    const name = `dr-auto-${Date.now().toString(36).slice(-5)}`;
    const loss = await loseTwoOfThree(name, { recovery: 'auto', recoveryDelaySeconds: AUTO_DELAY_SECONDS });
    const { key, survivor } = loss;
    const survivorId = loss.before.find((m) => m.name === survivor)?.id;

    // The operator's first change to the survivor is deleting its Pod (to start it with --force-new-cluster)...
    const pods = client.resource<Pod>(PodType);
    await eventually(
      async () => {
        const pod = await pods.get({ namespace: ns.name, name: survivor }).catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
        const untouched =
          pod?.metadata.uid === loss.survivorUid && pod.metadata.deletionTimestamp === undefined;
        expect(untouched).toBe(false);
      },
      { timeout: AUTO_DELAY_MS + 90_000, interval: 200, message: `the operator acts on ${survivor}` },
    );
    // ...and by then the choice is on record: written before acting, kept until the recovery is done.
    const acted = await readCluster(client, key);
    const chosen = acted.status?.recovery as EtcdMemberRecoveryStatus | undefined;
    expect(chosen).toMatchObject({ survivor, memberId: survivorId });
    expect(acted.metadata.annotations?.[RECOVER_ANNOTATION]).toBeUndefined();
    // Not before the wait bound had passed since quorum was seen lost.
    const lostSince = Date.parse(acted.status?.quorumLostSince ?? '');
    expect(Date.parse(chosen!.startedAt) - lostSince).toBeGreaterThanOrEqual(AUTO_DELAY_MS);

    // Interrupted: the operator stops half-way; a new one follows the record, never a new choice.
    const stoppedAt = Date.now();
    await operator!.stop();
    const records = recordsSeen(key);
    operator = await runOperator(kc, ns.name);
    const downMs = Date.now() - stoppedAt;
    const availableAt = await expectRebuiltFromSurvivor(loss);
    const seen = await records.stop();
    expect(seen.length).toBeGreaterThan(0);
    for (const record of seen)
      expect(record).toMatchObject({ survivor, memberId: chosen!.memberId, startedAt: chosen!.startedAt });
    expect((await clusterEvent(name, 'ForceNewCluster', 'Normal')).note).toContain(survivor);

    process.stderr.write(
      `recovery from the survivor (2 of 3 members lost with their data, recovery auto, bound ${AUTO_DELAY_SECONDS} s, operator stopped and started again half-way, ${downMs} ms without one): quorum loss to Available with 3 voters ${((availableAt - loss.lostAt) / 1000).toFixed(1)} s (${((availableAt - lostSince) / 1000).toFixed(1)} s from status.quorumLostSince; choice recorded ${((Date.parse(chosen!.startedAt) - loss.lostAt) / 1000).toFixed(1)} s after the loss)\n`,
    );
  }, 420_000);

  itWithFaults(
    'with recovery auto, quarantines the PVCs of members cut off the network instead of deleting them, and grows back under new names',
    async () => {
      const faults: Faults = (await attachLocalCluster(clusterDir!)).faults;
      const name = `dr-q-${Date.now().toString(36).slice(-5)}`;
      const cut: string[] = [];
      // Cut off, not gone: their Pods stay (not Ready; a liveness restart does not bring them
      // back) and their PVCs hold their data.
      const loss = await loseTwoOfThree(
        name,
        { recovery: 'auto', recoveryDelaySeconds: AUTO_DELAY_SECONDS },
        async (key, victims) => {
          for (const v of victims) {
            await faults.cutNetwork({ namespace: key.namespace!, name: v, container: 'etcd' });
            cut.push(v);
          }
          return Date.now();
        },
      );
      const { key, survivor, victims } = loss;
      try {
        // The record names the survivor, what may be lost and the PVCs that hold it.
        const recorded = await eventually(
          async () => {
            const r = (await readCluster(client, key)).status?.recovery as
              EtcdMemberRecoveryStatus | undefined;
            expect(r).toMatchObject({ survivor, quarantinedPVCs: [...victims].sort() });
            return r!;
          },
          { timeout: AUTO_DELAY_MS + 90_000, interval: 500, message: 'the recovery on record' },
        );
        expect(BigInt(recorded.highestRaftIndex ?? '-1')).toBeGreaterThanOrEqual(BigInt(recorded.raftIndex));
        const availableAt = await expectRebuiltFromSurvivor(loss);

        // Grown back under new names: the lost members' names are not reused.
        const members = await waitHealthy(client, key, 3, V36);
        expect(members.map((m) => m.name)).toContain(survivor);
        expect(members.filter((m) => victims.includes(m.name))).toEqual([]);
        // Their PVCs are still there, quarantined: labelled, no owner reference to the EtcdCluster.
        const pvcs = client.resource<PersistentVolumeClaim>(PvcType);
        for (const v of victims) {
          const pvc = await pvcs.get({ namespace: ns.name, name: v });
          expect(pvc.metadata.deletionTimestamp).toBeUndefined();
          expect(pvc.metadata.labels).toMatchObject({
            [QUARANTINE_LABEL]: expect.stringMatching(/^[0-9A-Za-z]+$/) as unknown,
            [CLUSTER_LABEL]: name,
            [MEMBER_LABEL]: v,
          });
          expect((pvc.metadata.ownerReferences ?? []).filter((r) => r.kind === ETCD_CLUSTER_KIND)).toEqual(
            [],
          );
          expect(pvc.metadata.annotations?.[QUARANTINE_NOTE_ANNOTATION]).toContain(survivor);
        }
        const done = await readCluster(client, key);
        expect(done.status?.quarantinedPVCs).toEqual([...victims].sort());
        // The Warning Event says what may be lost and where it is kept.
        expect((await clusterEvent(name, 'StartRecovery')).note).toContain(
          `quarantined PVCs ${[...victims].sort().join(', ')}`,
        );
        process.stderr.write(
          `recovery with quarantine (2 of 3 members cut off the network, recovery auto, bound ${AUTO_DELAY_SECONDS} s): cut to Available with 3 voters ${((availableAt - loss.lostAt) / 1000).toFixed(1)} s; survivor raft index ${recorded.raftIndex}, highest seen ${recorded.highestRaftIndex} on ${recorded.highestRaftIndexMember}\n`,
        );
      } finally {
        // Their Pods were deleted; one still there gets its network back (it finds itself removed).
        for (const v of cut)
          await faults.healNetwork({ namespace: ns.name, name: v, container: 'etcd' }).catch(() => undefined);
      }
    },
    420_000,
  );

  /**
   * An etcd client factory that reaches only the member at `ip`, and that
   * one without quorum (its member list refused, its own status answered):
   * the view of an operator cut off from a healthy majority.
   */
  function reachingOnly(ip: string): EtcdClientFactory {
    const refuse = (endpoint: string, op: string) => () =>
      Promise.reject(new EtcdRequestError('Unreachable', endpoint, op, 'cut off by the test'));
    return (endpoint) => {
      const real = new GatewayEtcdClient(endpoint, { timeoutMs: 3000 });
      if (endpoint.includes(`//${ip}:`))
        return Object.assign(Object.create(real) as GatewayEtcdClient, {
          memberList: refuse(endpoint, 'memberList'),
          health: refuse(endpoint, 'health'),
        });
      return new Proxy(real, {
        get: (target, prop) => (prop === 'endpoint' ? target.endpoint : refuse(endpoint, String(prop))),
      });
    };
  }

  it('never recovers while the member Pods report Ready, though the operator reaches only one member, without quorum', async () => {
    const name = `dr-cut-${Date.now().toString(36).slice(-5)}`;
    const key = { namespace: ns.name, name };
    operator = await runOperator(kc, ns.name);
    await createHealthyThree(name, { recovery: 'auto', recoveryDelaySeconds: AUTO_DELAY_SECONDS });
    const before = await memberPods(client, key);
    const pvcs = client.resource<PersistentVolumeClaim>(PvcType);
    const claims = async () =>
      (await pvcs.list({ namespace: ns.name })).items
        .filter((p) => p.metadata.labels?.[CLUSTER_LABEL] === name)
        .map((p) => `${p.metadata.name} ${p.metadata.uid} ${p.metadata.labels?.[QUARANTINE_LABEL] ?? ''}`)
        .sort();
    const claimsBefore = await claims();
    expect(claimsBefore).toHaveLength(3);

    // A new operator that reaches one member, which answers its status but gives no member list.
    await operator.stop();
    const reached = before.map((p) => p.status?.podIP ?? '').sort()[0]!;
    operator = await runOperator(kc, ns.name, reachingOnly(reached));
    const degraded = await degradedWith(key, 'QuorumUnreachableFromOperator');
    // A majority Ready (a member just promoted may not be Ready yet).
    expect(degraded.message).toMatch(/Ready \([23] of 3 voters\)/);
    await clusterEvent(name, 'QuorumUnreachableFromOperator');
    // Well past the bound: no recovery, no loss on record, every Pod and PVC as it was.
    const seenAt = Date.now();
    await eventually(() => expect(Date.now() - seenAt).toBeGreaterThan(AUTO_DELAY_MS + 10_000), {
      timeout: AUTO_DELAY_MS + 30_000,
      interval: 1000,
    });
    const after = await readCluster(client, key);
    expect(after.status?.recovery).toBeUndefined();
    expect(after.status?.quorumLostSince).toBeUndefined();
    expect(after.status?.conditions?.find((c) => c.type === 'Degraded')?.reason).toBe(
      'QuorumUnreachableFromOperator',
    );
    expect((await memberPods(client, key)).map((p) => p.metadata.uid).sort()).toEqual(
      before.map((p) => p.metadata.uid).sort(),
    );
    expect(await claims()).toEqual(claimsBefore);

    // Reconnected, it finds the cluster as it was.
    await operator.stop();
    operator = await runOperator(kc, ns.name);
    await waitHealthy(client, key, 3, V36);
  }, 300_000);

  /** A one-shot EtcdBackup of `cluster` into the `backups` PVC, once Succeeded. */
  async function takeBackup(cluster: string, name: string): Promise<EtcdBackup> {
    const backups = client.resource<EtcdBackup>({ apiVersion: ETCD_API_VERSION, kind: ETCD_BACKUP_KIND });
    await backups.create({
      apiVersion: ETCD_API_VERSION,
      kind: ETCD_BACKUP_KIND,
      metadata: { name, namespace: ns.name },
      spec: { clusterName: cluster, destination: { pvc: { claimName: 'backups' } } },
    });
    return eventually(
      async () => {
        const b = await backups.get({ namespace: ns.name, name });
        expect(b.status?.phase).toBe('Succeeded');
        return b;
      },
      { timeout: 120_000, interval: 1000, message: `EtcdBackup ${name} Succeeded` },
    );
  }

  it("with every member's data gone and recovery auto, restores from the newest backup, interrupted half-way, and grows back to 3", async () => {
    const name = `dr-all-${Date.now().toString(36).slice(-5)}`;
    const key = { namespace: ns.name, name };
    operator = await runOperator(kc, ns.name, undefined, { backups: true });
    const pvcs = client.resource<PersistentVolumeClaim>(PvcType);
    await pvcs
      .create({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'backups', namespace: ns.name },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      })
      .catch((err: unknown) => {
        if (!(err instanceof AlreadyExistsError)) throw err; // the suite's retry
      });
    await createHealthyThree(name, { recovery: 'auto', recoveryDelaySeconds: DELAY_SECONDS });
    const oldClusterID = (await readCluster(client, key)).status?.clusterID;

    // Two backups; the second, newest one holds /before/ and /between/, and nothing of /after/.
    const before = await writeKeys(client, key, '/before/', 50);
    await takeBackup(name, `${name}-old`);
    const between = await writeKeys(client, key, '/between/', 50);
    const newest = await takeBackup(name, `${name}-new`);
    const after = await writeKeys(client, key, '/after/', 20);
    const revision = newest.status?.lastSnapshot?.revision ?? 0;

    // Kill all 3: Pods and PVCs deleted (the operator down meanwhile, so nothing restarts half of them).
    await operator.stop();
    const killedAt = Date.now();
    const victims = (await memberPods(client, key)).map((p) => p.metadata.name ?? '');
    expect(victims).toHaveLength(3);
    await loseMembersWithData(client, key, victims);
    operator = await runOperator(kc, ns.name, undefined, { backups: true });

    // The choice is on record before anything is created; then the operator dies and a new one carries on.
    const chosen = await eventually(
      async () => {
        const recovery = (await readCluster(client, key)).status?.recovery;
        expect(recovery).toMatchObject({ source: 'Backup', backupName: `${name}-new`, revision });
        return recovery as EtcdBackupRecoveryStatus;
      },
      { timeout: DELAY_MS + 60_000, interval: 500, message: 'recovery from the newest backup on record' },
    );
    const recordedAt = Date.now();
    expect(chosen.previousClusterID).toBe(oldClusterID);
    await operator.stop();
    operator = await runOperator(kc, ns.name, undefined, { backups: true });

    const members = await waitHealthy(client, key, 3, V36, 240_000);
    const availableAt = Date.now();
    const lostSince = Date.parse(chosen.startedAt) - DELAY_MS;
    process.stderr.write(
      `recovery from backup (all 3 members lost with their data, bound ${DELAY_SECONDS} s): kill to Available with 3 members ${((availableAt - killedAt) / 1000).toFixed(1)} s; choice recorded ${((recordedAt - killedAt) / 1000).toFixed(1)} s after the kill; record to Available ${((availableAt - recordedAt) / 1000).toFixed(1)} s (about ${((availableAt - lostSince) / 1000).toFixed(1)} s from status.quorumLostSince)\n`,
    );

    // A new cluster: the seed restored under a new name, the others joined; the record is gone.
    expect(members.map((m) => m.name)).toContain(chosen.seed);
    expect(members.every((m) => !victims.includes(m.name))).toBe(true);
    const done = await readCluster(client, key);
    expect(done.status?.recovery).toBeUndefined();
    expect(done.status?.quorumLostSince).toBeUndefined();
    expect(done.status?.clusterID).toBeDefined();
    expect(done.status?.clusterID).not.toBe(oldClusterID);
    const pods = await memberPods(client, key);
    expect(pods.filter((p) => p.spec.initContainers?.some((c) => c.name === 'restore'))).toHaveLength(1);

    // Every key written before the newest backup, on every member; none written after it.
    await expectKeysOnEveryMember(client, key, new Map([...before, ...between]));
    for (const c of await memberClients(client, key)) {
      expect((await readPrefix(c.endpoint, '/after/')).size).toBe(0);
      expect(await c.get([...after.keys()][0]!, { serializable: true })).toBeUndefined();
    }
    const [reader] = await memberClients(client, key);
    const res = await fetch(`${reader!.endpoint}/v3/kv/range`, {
      method: 'POST',
      body: JSON.stringify({ key: Buffer.from('/').toString('base64') }),
      signal: AbortSignal.timeout(5000),
    });
    const header = ((await res.json()) as { header?: { revision?: string } }).header;
    expect(Number(header?.revision)).toBeGreaterThanOrEqual(revision + RESTORE_REVISION_BUMP);

    // The loss was announced.
    const announced = await clusterEvent(name, 'StartBackupRecovery');
    expect(announced.note).toContain(`data written after revision ${revision} is lost`);
  }, 600_000);

  /** The cluster's Degraded condition, once it has `reason`. */
  async function degradedWith(key: ObjectKey, reason: string): Promise<{ message: string }> {
    return eventually(
      async () => {
        const degraded = (await readCluster(client, key)).status?.conditions?.find(
          (c) => c.type === 'Degraded',
        );
        expect(degraded).toMatchObject({ status: 'True', reason });
        return degraded!;
      },
      { timeout: DELAY_MS + 90_000, interval: 1000, message: `Degraded ${reason}` },
    );
  }

  /** The Event `reason` (a Warning unless `type` says otherwise) about EtcdCluster `cluster`, once recorded. */
  async function clusterEvent(
    cluster: string,
    reason: string,
    type: 'Warning' | 'Normal' = 'Warning',
  ): Promise<{ note?: string }> {
    return eventually(async () => {
      const events = await client
        .resource<
          { reason?: string; type?: string; note?: string; regarding?: { name?: string } } & {
            metadata: object;
          }
        >({ apiVersion: 'events.k8s.io/v1', kind: 'Event' })
        .list({ namespace: ns.name });
      const event = events.items.find((e) => e.reason === reason && e.regarding?.name === cluster);
      expect(event).toMatchObject({ type });
      return event!;
    });
  }

  it('removes a recover annotation set while quorum is there, with an Event, so a later loss waits for a new one', async () => {
    const name = `dr-stale-${Date.now().toString(36).slice(-5)}`;
    const key = { namespace: ns.name, name };
    operator = await runOperator(kc, ns.name);
    await createCluster(name, { size: 1, version: V36, recovery: 'manual', recoveryDelaySeconds: 10 });
    await waitHealthy(client, key, 1, V36, 180_000);
    const [member] = await memberPods(client, key);

    await clusters.patch(key, {
      type: 'merge',
      body: { metadata: { annotations: { [RECOVER_ANNOTATION]: 'now' } } },
    });
    await eventually(
      async () =>
        expect((await readCluster(client, key)).metadata.annotations?.[RECOVER_ANNOTATION]).toBeUndefined(),
      { timeout: 30_000, message: 'the annotation removed' },
    );
    expect((await clusterEvent(name, 'RecoverAnnotationRemoved', 'Normal')).note).toContain(
      RECOVER_ANNOTATION,
    );
    // Nothing else changed: the same member, healthy, no recovery on record.
    const after = await readCluster(client, key);
    expect(after.status?.recovery).toBeUndefined();
    expect((await memberPods(client, key)).map((p) => p.metadata.uid)).toEqual([member?.metadata.uid]);
  }, 300_000);

  it('never deletes a PVC that may hold data, and without a backup only reports NoSurvivorNoBackup', async () => {
    const name = `dr-none-${Date.now().toString(36).slice(-5)}`;
    const key = { namespace: ns.name, name };
    operator = await runOperator(kc, ns.name);
    await createCluster(name, { size: 1, version: V36, recovery: 'auto', recoveryDelaySeconds: 10 });
    await waitHealthy(client, key, 1, V36, 180_000);
    await operator.stop();
    const [member] = (await memberPods(client, key)).map((p) => p.metadata.name ?? '');
    await loseMembersWithData(client, key, [member!]);
    // Its PVC comes back empty (storage replaced): its member restarts on it but can never answer.
    // It carries this cluster's UID, as the operator's PVCs do; without it, it would be another
    // cluster's (a namesake's), never this cluster's data (retention.ts).
    const pvcs = client.resource<PersistentVolumeClaim>(PvcType);
    const uid = (await readCluster(client, key)).metadata.uid ?? '';
    await pvcs.create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: member!,
        namespace: ns.name,
        labels: { ...memberLabels(name, member!), [CLUSTER_UID_LABEL]: uid },
      },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    operator = await runOperator(kc, ns.name);

    const waiting = await degradedWith(key, 'NoSurvivor');
    expect(waiting.message).toContain(`${member} may still hold data`);
    await clusterEvent(name, 'NoSurvivor');
    expect(
      (await pvcs.get({ namespace: ns.name, name: member! })).metadata.deletionTimestamp,
    ).toBeUndefined();
    expect((await readCluster(client, key)).status?.recovery).toBeUndefined();

    // Saying the data is gone for good (deleting the PVC): no backup to restore from, nothing more happens.
    await pvcs.delete({ namespace: ns.name, name: member! });
    const stuck = await degradedWith(key, 'NoSurvivorNoBackup');
    expect(stuck.message).toContain('nothing is deleted');
    await clusterEvent(name, 'NoSurvivorNoBackup');
    const cluster = await readCluster(client, key);
    expect(cluster.status?.recovery).toBeUndefined();
    expect(cluster.status?.phase).toBe('Unavailable');
    // The member's Pod (crash-looping on the deleted PVC) is left where it is.
    expect((await memberPods(client, key)).map((p) => p.metadata.name)).toEqual([member]);
  }, 420_000);
});
