// One etcd member as a Pod (and its PVC). Per-member Pods rather than a
// StatefulSet: the runbook must create, restart and delete one chosen member
// (replace the failed one, remove the newest, upgrade in a set order with the
// leader last), and a member must be added to etcd before its Pod starts. A
// StatefulSet decides those itself (ordinal order, all Pods from one
// template); coreos/etcd-operator managed Pods directly for the same reason.
import { createHash } from 'node:crypto';

import type { V1Affinity, V1Container, V1PodSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';

import type { EtcdCluster } from '../api/types.js';
import { DEFAULT_ETCD_REPOSITORY } from '../api/types.js';
import { DEFRAGMENT_TIMEOUT_MS } from '../etcd/etcd-client.js';
import { CLIENT_PORT, METRICS_PORT, PEER_PORT, peerServiceName, peerURL } from '../runbook/member-names.js';
import type { RestoreFrom } from '../runbook/restore.js';
import { etcdFlag } from './etcd-flags.js';
import type { PersistentVolumeClaim, Pod } from './kube-types.js';
import { retentionPolicy } from '../runbook/retention.js';
import {
  CLUSTER_LABEL,
  CLUSTER_UID_LABEL,
  DATA_OWNER_ANNOTATION,
  MEMBER_TEMPLATE_ANNOTATION,
  memberLabels,
} from './labels.js';
import { clusterOwnerReference } from './owner.js';
import {
  MEMBER_UID,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  rootDataContainerSecurityContext,
  rootDataPodSecurityContext,
} from './pod-security.js';
import { restoreInitContainers, restoreVolumes } from './restore-init.js';
import {
  clientScheme,
  clusterTLSSecrets,
  peerScheme,
  TLS_CA_KEY,
  TLS_CERT_KEY,
  TLS_KEY_KEY,
} from '../tls/cluster-tls.js';

const DATA_DIR = '/var/lib/etcd';
/** Where a member's client (server certificate) and peer TLS Secrets are mounted. */

/** Seconds between liveness probes and each probe's timeout. */
const LIVENESS_PERIOD_SECONDS = 10;
const LIVENESS_TIMEOUT_SECONDS = 5;
/** A defragmentation may outlast the operator's wait by this much before the kubelet acts. */
const LIVENESS_DEFRAGMENT_MARGIN_SECONDS = 30;

/**
 * The member container's liveness timing. etcd v3.6 answers /livez with a
 * serializable read, which waits while a defragmentation holds the backend's
 * read lock (server/storage/backend/backend.go `defrag`; etcd PR #16858, to
 * answer /livez during a defragmentation, is not merged). The kubelet kills
 * the container after `failureThreshold` failures in a row, at the earliest
 * (failureThreshold - 1) * period + timeout seconds into a blocked /livez:
 * that is kept above the operator's defragmentation timeout
 * ({@link DEFRAGMENT_TIMEOUT_MS}) plus a margin, so a member is never
 * restarted while it defragments.
 */
export const LIVENESS_PROBE = {
  initialDelaySeconds: 15,
  periodSeconds: LIVENESS_PERIOD_SECONDS,
  timeoutSeconds: LIVENESS_TIMEOUT_SECONDS,
  failureThreshold:
    Math.ceil(
      (DEFRAGMENT_TIMEOUT_MS / 1000 + LIVENESS_DEFRAGMENT_MARGIN_SECONDS - LIVENESS_TIMEOUT_SECONDS) /
        LIVENESS_PERIOD_SECONDS,
    ) + 1,
} as const;

/** Seconds of blocked /livez the kubelet tolerates before it restarts a member (see {@link LIVENESS_PROBE}). */
export function livenessToleranceSeconds(probe: {
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}): number {
  return (probe.failureThreshold - 1) * probe.periodSeconds + probe.timeoutSeconds;
}

export const CLIENT_TLS_DIR = '/etc/etcd/tls/client';
export const PEER_TLS_DIR = '/etc/etcd/tls/peer';

/** How a member's etcd process joins: as the seed of a new cluster, or into an existing one. */
export interface MemberBootstrap {
  state: 'new' | 'existing';
  /** `name=peerURL` of every member, this one included. */
  initialCluster: string[];
  /** A seed restored from a snapshot before etcd starts (../runbook/restore.ts). */
  restore?: RestoreFrom;
  /** Disaster recovery: start with --force-new-cluster (../runbook/recover.ts). */
  forceNewCluster?: boolean;
  /** Image that fetches an S3 snapshot (default {@link DEFAULT_TOOLBOX_IMAGE}). */
  toolboxImage?: string;
  /**
   * The member's PVC was made by an operator that ran members as root (no
   * {@link DATA_OWNER_ANNOTATION}): the Pod runs as root, without
   * capabilities, so etcd can read its 0700 data folder. Not part of the
   * template hash: such a member is not rolled again for it.
   */
  dataOwnedByRoot?: boolean;
}

/**
 * The operator's own image, as config/manager deploys it: it holds
 * `etcd-operator fetch-snapshot`, which a seed restored from S3 runs in an
 * init container. Who runs another image passes `--toolbox-image`.
 */
export const DEFAULT_TOOLBOX_IMAGE = 'switchboard/etcd-operator:0.1.0';

/** The flag a disaster recovery starts the survivor with. */
export const FORCE_NEW_CLUSTER_FLAG = '--force-new-cluster';

/** The etcd image of a version: `<repository>:v<version>`. */
export function etcdImage(cluster: EtcdCluster, version = cluster.spec.version): string {
  return `${cluster.spec.repository ?? DEFAULT_ETCD_REPOSITORY}:v${version}`;
}

/** The etcd version named by an image reference's tag, if it is one. */
export function versionOfImage(image: string | undefined): string | undefined {
  const tag = image?.slice(image.lastIndexOf(':') + 1);
  const m = tag === undefined ? null : /^v?(\d+\.\d+\.\d+)/.exec(tag);
  return m?.[1];
}

/**
 * TLS flags. etcd reads the certificate files on every new handshake, and the
 * kubelet swaps a mounted Secret's files atomically, so updating a Secret
 * rotates a member's certificate without a restart (the CA files are read
 * once at start).
 */
function tlsArgs(cluster: EtcdCluster): string[] {
  const tls = clusterTLSSecrets(cluster.metadata.name ?? '', cluster.spec);
  return [
    ...(tls.client
      ? [
          `--cert-file=${CLIENT_TLS_DIR}/${TLS_CERT_KEY}`,
          `--key-file=${CLIENT_TLS_DIR}/${TLS_KEY_KEY}`,
          `--trusted-ca-file=${CLIENT_TLS_DIR}/${TLS_CA_KEY}`,
          '--client-cert-auth=true',
        ]
      : []),
    ...(tls.peer
      ? [
          `--peer-cert-file=${PEER_TLS_DIR}/${TLS_CERT_KEY}`,
          `--peer-key-file=${PEER_TLS_DIR}/${TLS_KEY_KEY}`,
          `--peer-trusted-ca-file=${PEER_TLS_DIR}/${TLS_CA_KEY}`,
          '--peer-client-cert-auth=true',
          // By default etcd also requires a connecting peer's certificate to
          // name the peer's IP, or a DNS name that resolves (or reverse-resolves)
          // to it. A member's IP is not known when its certificate is made, and
          // the reverse lookup of a just-started Pod's IP failed on the local
          // node ("server misbehaving" from CoreDNS) until long after the member
          // gave up joining. The CA check above is the authentication; the
          // dialing side still checks the member's DNS name. 3.6 renamed the flag
          // and 3.7 dropped the old name (etcd-flags.ts).
          etcdFlag('peer-skip-client-san-verification', 'true', cluster.spec.version),
        ]
      : []),
  ];
}

/** Volumes and mounts of the TLS Secrets a member uses. */
function tlsVolumes(cluster: EtcdCluster): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const tls = clusterTLSSecrets(cluster.metadata.name ?? '', cluster.spec);
  const sides = [
    ...(tls.client ? [{ name: 'tls-client', secretName: tls.client.server, mountPath: CLIENT_TLS_DIR }] : []),
    ...(tls.peer ? [{ name: 'tls-peer', secretName: tls.peer.secret, mountPath: PEER_TLS_DIR }] : []),
  ];
  return {
    volumes: sides.map((s) => ({ name: s.name, secret: { secretName: s.secretName } })),
    mounts: sides.map((s) => ({ name: s.name, mountPath: s.mountPath, readOnly: true })),
  };
}

function etcdArgs(cluster: EtcdCluster, member: string, boot: MemberBootstrap): string[] {
  const ns = cluster.metadata.namespace ?? 'default';
  const name = cluster.metadata.name ?? '';
  const opts = cluster.spec.etcdOptions ?? {};
  const client = clientScheme(cluster.spec);
  const peer = peerScheme(cluster.spec);
  return [
    `--name=${member}`,
    `--data-dir=${DATA_DIR}/data`,
    `--listen-peer-urls=${peer}://0.0.0.0:${PEER_PORT}`,
    `--listen-client-urls=${client}://0.0.0.0:${CLIENT_PORT}`,
    `--listen-metrics-urls=http://0.0.0.0:${METRICS_PORT}`,
    `--advertise-client-urls=${client}://${member}.${peerServiceName(name)}.${ns}.svc:${CLIENT_PORT}`,
    `--initial-advertise-peer-urls=${peerURL(name, ns, member, peer)}`,
    `--initial-cluster=${boot.initialCluster.join(',')}`,
    `--initial-cluster-state=${boot.state}`,
    // Unique per EtcdCluster object, so a member can never join a namesake's cluster.
    `--initial-cluster-token=${boot.restore?.token ?? cluster.metadata.uid ?? name}`,
    ...(opts.quotaBackendBytes !== undefined ? [`--quota-backend-bytes=${opts.quotaBackendBytes}`] : []),
    ...(opts.autoCompactionMode ? [`--auto-compaction-mode=${opts.autoCompactionMode}`] : []),
    ...(opts.autoCompactionRetention ? [`--auto-compaction-retention=${opts.autoCompactionRetention}`] : []),
    ...tlsArgs(cluster),
    ...(boot.forceNewCluster ? [FORCE_NEW_CLUSTER_FLAG] : []),
  ];
}

function affinity(cluster: EtcdCluster): V1Affinity | undefined {
  const mode = cluster.spec.antiAffinity ?? 'Preferred';
  const user = cluster.spec.podTemplate?.affinity;
  if (mode === 'None') return user;
  const term = {
    labelSelector: { matchLabels: { [CLUSTER_LABEL]: cluster.metadata.name ?? '' } },
    topologyKey: 'kubernetes.io/hostname',
  };
  const anti = user?.podAntiAffinity ?? {};
  return {
    ...user,
    podAntiAffinity:
      mode === 'Required'
        ? {
            ...anti,
            requiredDuringSchedulingIgnoredDuringExecution: [
              ...(anti.requiredDuringSchedulingIgnoredDuringExecution ?? []),
              term,
            ],
          }
        : {
            ...anti,
            preferredDuringSchedulingIgnoredDuringExecution: [
              ...(anti.preferredDuringSchedulingIgnoredDuringExecution ?? []),
              { weight: 100, podAffinityTerm: term },
            ],
          },
  };
}

function container(cluster: EtcdCluster, member: string, boot: MemberBootstrap): V1Container {
  return {
    name: 'etcd',
    image: etcdImage(cluster),
    command: ['/usr/local/bin/etcd'],
    args: etcdArgs(cluster, member, boot),
    ports: [
      { name: 'client', containerPort: CLIENT_PORT },
      { name: 'peer', containerPort: PEER_PORT },
      { name: 'metrics', containerPort: METRICS_PORT },
    ],
    volumeMounts: [{ name: 'data', mountPath: DATA_DIR }, ...tlsVolumes(cluster).mounts],
    // etcd's own probe endpoints (3.5.11+ and 3.6), on the plain-HTTP metrics
    // listener so they need no client certificate under TLS. /readyz: the member has
    // a leader and serves linearizable reads, so Services send clients only
    // to members that can answer.
    readinessProbe: {
      httpGet: { path: '/readyz', port: METRICS_PORT },
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    // /livez: the process serves a local (serializable) read, with or without
    // a leader. So losing quorum never restarts members (which would make it
    // worse: a restarted member must catch up before it votes), while a
    // deadlocked process or a stalled disk is restarted. Generous bounds: a
    // busy node answering late is not a dead member, and a defragmentation,
    // which blocks /livez, is outlasted (LIVENESS_PROBE).
    livenessProbe: { httpGet: { path: '/livez', port: METRICS_PORT }, ...LIVENESS_PROBE },
    ...(cluster.spec.podTemplate?.resources ? { resources: cluster.spec.podTemplate.resources } : {}),
    securityContext: boot.dataOwnedByRoot
      ? rootDataContainerSecurityContext()
      : restrictedContainerSecurityContext(),
  };
}

function restoreParts(cluster: EtcdCluster, member: string, from: RestoreFrom, toolboxImage: string) {
  const ns = cluster.metadata.namespace ?? 'default';
  const name = cluster.metadata.name ?? '';
  const url = peerURL(name, ns, member, peerScheme(cluster.spec));
  return {
    initContainers: restoreInitContainers(from, {
      member,
      peerURL: url,
      initialCluster: `${member}=${url}`,
      token: from.token ?? cluster.metadata.uid ?? name,
      dataDir: `${DATA_DIR}/data`,
      dataMount: { name: 'data', mountPath: DATA_DIR },
      image: etcdImage(cluster),
      toolboxImage,
    }),
    volumes: restoreVolumes(from),
  };
}

/**
 * The Pod of one member, annotated with the hash of its template
 * ({@link memberTemplateHash}): the rollout (../runbook/rollout.ts) replaces
 * members whose Pod carries another.
 */
export function memberPod(cluster: EtcdCluster, member: string, boot: MemberBootstrap): Pod {
  const pod = renderMemberPod(cluster, member, boot);
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    [MEMBER_TEMPLATE_ANNOTATION]: memberTemplateHash(cluster),
  };
  return pod;
}

/** A member name no member has (member names are DNS labels): stands for every member in the template. */
const ANY_MEMBER = '_';

/**
 * A stable hash of everything in a member's Pod that the spec or this
 * operator's code can change, the same for every member of the cluster: the
 * Pod rendered for a stand-in member, joining an existing cluster, without
 * its etcd image. Left out, so they never cause a rollout: the image (the
 * version belongs to the upgrade, upgrade.ts) and what differs per member or
 * per start (its name, the initial cluster, the restore init containers,
 * --force-new-cluster). The version still counts where it changes the Pod
 * otherwise (a flag's spelling, etcd-flags.ts).
 */
export function memberTemplateHash(cluster: EtcdCluster): string {
  const pod = renderMemberPod(cluster, ANY_MEMBER, { state: 'existing', initialCluster: [] });
  const containers = pod.spec?.containers.map(({ image: _image, ...rest }) => rest);
  return createHash('sha256')
    .update(stableJson({ metadata: pod.metadata, spec: { ...pod.spec, containers } }))
    .digest('hex')
    .slice(0, 16);
}

/** JSON with object keys sorted, so equal objects hash equally whatever order they were built in. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function renderMemberPod(cluster: EtcdCluster, member: string, boot: MemberBootstrap): Pod {
  const name = cluster.metadata.name ?? '';
  const template = cluster.spec.podTemplate ?? {};
  const volume: V1Volume =
    cluster.spec.storage.type === 'Ephemeral'
      ? { name: 'data', emptyDir: {} }
      : { name: 'data', persistentVolumeClaim: { claimName: member } };
  const podAffinity = affinity(cluster);
  const restore = boot.restore
    ? restoreParts(cluster, member, boot.restore, boot.toolboxImage ?? DEFAULT_TOOLBOX_IMAGE)
    : undefined;
  const spec: V1PodSpec = {
    hostname: member,
    subdomain: peerServiceName(name),
    restartPolicy: 'Always',
    securityContext: boot.dataOwnedByRoot ? rootDataPodSecurityContext() : restrictedPodSecurityContext(),
    ...(restore ? { initContainers: restore.initContainers } : {}),
    containers: [container(cluster, member, boot)],
    volumes: [volume, ...tlsVolumes(cluster).volumes, ...(restore?.volumes ?? [])],
    ...(podAffinity ? { affinity: podAffinity } : {}),
    ...(template.tolerations ? { tolerations: template.tolerations } : {}),
    ...(template.nodeSelector ? { nodeSelector: template.nodeSelector } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: member,
      namespace: cluster.metadata.namespace ?? 'default',
      labels: { ...template.labels, ...memberLabels(name, member), ...originLabel(cluster) },
      ...(template.annotations ? { annotations: template.annotations } : {}),
      ownerReferences: [clusterOwnerReference(cluster)],
    },
    spec,
  };
}

/** The label naming the EtcdCluster (by UID) that makes a member's Pod or PVC (../runbook/retention.ts). */
function originLabel(cluster: EtcdCluster): Record<string, string> {
  return { [CLUSTER_UID_LABEL]: cluster.metadata.uid ?? '' };
}

/**
 * The PVC of one member (persistent storage only). Owned by the EtcdCluster
 * only under whenDeleted `Delete` (../runbook/retention.ts).
 */
export function memberPvc(cluster: EtcdCluster, member: string): PersistentVolumeClaim {
  const storage = cluster.spec.storage;
  const owned = retentionPolicy(cluster.spec).whenDeleted === 'Delete';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: member,
      namespace: cluster.metadata.namespace ?? 'default',
      labels: { ...memberLabels(cluster.metadata.name ?? '', member), ...originLabel(cluster) },
      annotations: { [DATA_OWNER_ANNOTATION]: String(MEMBER_UID) },
      ...(owned ? { ownerReferences: [clusterOwnerReference(cluster)] } : {}),
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: storage.size ?? '1Gi' } },
      ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
    },
  };
}
