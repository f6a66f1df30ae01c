// Builds ClusterObservations for the runbook's unit tests in the runbook's
// own words: members with a health, a role, a Pod and a PVC.
import type { EtcdClusterSpec, EtcdClusterStatus } from '../../src/api/types.js';
import type { EtcdAlarm, EtcdEndpointStatus } from '../../src/etcd/etcd-client.js';
import type { ForeignAnswer } from '../../src/runbook/cluster-identity.js';
import type { ClusterObservation, MemberPod, ObservedMember } from '../../src/runbook/observation.js';
import { peerURL } from '../../src/runbook/member-names.js';

/** One member of a fixture cluster. */
export interface FixtureMember {
  name: string;
  healthy?: boolean;
  learner?: boolean;
  leader?: boolean;
  /** Version the member runs (default: the spec's). */
  version?: string;
  /** Version in the Pod's image (default: `version`). */
  imageVersion?: string;
  /** False for a member added but never started. */
  started?: boolean;
  /** False: no Pod. */
  pod?: false | Partial<MemberPod>;
  /** False: no PVC. */
  pvc?: boolean;
  /** False: the endpoint did not answer Status. */
  reachable?: boolean;
}

/** A whole fixture cluster. */
export interface FixtureCluster {
  spec?: Partial<EtcdClusterSpec>;
  members: FixtureMember[];
  /** True: no member answered a linearizable member list. */
  noQuorum?: boolean;
  status?: EtcdClusterStatus;
  alarms?: EtcdAlarm[];
  /** Pods and PVCs of non-members. */
  extraPods?: string[];
  extraPvcs?: string[];
  /** PVCs a disaster recovery quarantined. */
  quarantinedPvcs?: string[];
  /** Retained PVCs of this cluster, and Pods and PVCs of another cluster of the same name (retention.ts). */
  retainedPvcs?: string[];
  foreign?: string[];
  /** Member Pods whose etcd answered with another cluster's ID (cluster-identity.ts). */
  foreignAnswers?: ForeignAnswer[];
  /**
   * The member template hash the spec asks for (rollout.ts); every member Pod
   * carries it unless its `pod` says otherwise. Absent: no rollout is planned.
   */
  template?: string;
}

const NS = 'ns';
const NAME = 'etcd';

/** Hex ID used for a fixture member. */
export function idOf(name: string): string {
  return Buffer.from(name).toString('hex');
}

/** The observation the runbook would make of this cluster. */
export function observe(fixture: FixtureCluster): ClusterObservation {
  const spec: EtcdClusterSpec = {
    size: 3,
    version: '3.6.16',
    storage: { type: 'PersistentVolume', size: '1Gi' },
    ...fixture.spec,
  };
  const pods = new Map<string, MemberPod>();
  const pvcs = new Set<string>();
  const members: ObservedMember[] = [];
  fixture.members.forEach((m, i) => {
    const version = m.version ?? spec.version;
    if (m.pod !== false) {
      pods.set(m.name, {
        name: m.name,
        phase: 'Running',
        // /readyz needs a leader: without quorum no Pod is Ready.
        ready: fixture.noQuorum !== true && m.healthy !== false,
        podIP: `10.0.0.${i + 1}`,
        imageVersion: m.imageVersion ?? version,
        restartCount: 0,
        createdAt: `2026-01-01T00:00:0${i}Z`,
        terminating: false,
        ...(fixture.template !== undefined ? { templateHash: fixture.template } : {}),
        ...m.pod,
      });
    }
    if (m.pvc !== false && spec.storage.type !== 'Ephemeral') pvcs.add(m.name);
    const started = m.started !== false;
    const reachable = m.reachable ?? (m.pod !== false && started);
    const id = idOf(m.name);
    members.push({
      id,
      name: started ? m.name : '',
      memberName: m.name,
      peerURLs: [peerURL(NAME, NS, m.name)],
      clientURLs: [],
      isLearner: m.learner ?? false,
      healthy: reachable && m.healthy !== false,
      ...(reachable
        ? {
            status: {
              memberId: id,
              clusterId: 'c1',
              version,
              leaderId: idOf(fixture.members.find((x) => x.leader)?.name ?? ''),
              raftIndex: 10n,
              raftAppliedIndex: 10n,
              isLearner: m.learner ?? false,
              dbSize: 1,
              errors: [],
            },
          }
        : {}),
    });
  });
  for (const p of fixture.extraPods ?? []) {
    pods.set(p, {
      name: p,
      phase: 'Running',
      ready: true,
      restartCount: 0,
      createdAt: '2026-01-02T00:00:00Z',
      terminating: false,
    });
  }
  for (const p of fixture.extraPvcs ?? []) pvcs.add(p);
  const leader = fixture.members.find((m) => m.leader);
  return {
    name: NAME,
    namespace: NS,
    generation: 1,
    spec,
    previousStatus: fixture.status ?? { clusterID: 'c1' },
    pods,
    pvcs,
    ...(fixture.quarantinedPvcs ? { quarantinedPvcs: new Set(fixture.quarantinedPvcs) } : {}),
    ...(fixture.retainedPvcs ? { retainedPvcs: new Set(fixture.retainedPvcs) } : {}),
    ...(fixture.foreign ? { foreign: new Set(fixture.foreign) } : {}),
    ...(fixture.foreignAnswers ? { foreignAnswers: fixture.foreignAnswers } : {}),
    ...(fixture.template !== undefined ? { memberTemplateHash: fixture.template } : {}),
    ...(fixture.noQuorum
      ? { membershipError: 'no quorum' }
      : {
          membership: {
            clusterId: 'c1',
            members,
            ...(leader ? { leaderId: idOf(leader.name) } : {}),
            alarms: fixture.alarms ?? [],
          },
        }),
  };
}

/** A deterministic name generator: etcd-new1, etcd-new2, ... */
export function names(): () => string {
  let n = 0;
  return () => `${NAME}-new${++n}`;
}

/** A healthy cluster of `n` members a, b, c... with `a` leading. */
export function healthy(n: number): FixtureMember[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `etcd-${String.fromCharCode(97 + i)}`,
    leader: i === 0,
  }));
}

/** What a member following leader a1 says of itself (Maintenance.Status). */
export function endpointStatus(memberId: string, clusterId: string): EtcdEndpointStatus {
  return {
    memberId,
    clusterId,
    version: '3.6.16',
    leaderId: 'a1',
    raftIndex: 1n,
    raftAppliedIndex: 1n,
    isLearner: false,
    dbSize: 1,
    errors: [],
  };
}
