import type { V1Container, V1PodSpec } from '@kubernetes/client-node';

import type { EtcdBackup } from '../api/backup-types.js';
import type { EtcdCluster } from '../api/types.js';
import { DATA_OWNER_ANNOTATION, MEMBER_TEMPLATE_ANNOTATION } from './labels.js';
import { memberPod, memberPvc } from './member-pod.js';
import { MEMBER_UID } from './pod-security.js';
import { snapshotJob } from './snapshot-job.js';

const cluster: EtcdCluster = {
  metadata: { name: 'copy', namespace: 'prod', uid: 'uid-new' },
  spec: { size: 3, version: '3.6.16', storage: { type: 'PersistentVolume', size: '1Gi' } },
};
const snapshot = {
  backupName: 'nightly',
  snapshot: 'nightly-20261128-020000.db',
  path: 'nightly/nightly-20261128-020000.db',
  sha256: 'c'.repeat(64),
  revision: 42,
};
const backup: EtcdBackup = {
  metadata: { name: 'nightly', namespace: 'prod', uid: 'uid-b' },
  spec: { clusterName: 'copy', destination: { pvc: { claimName: 'backups' } } },
};

const pods: [string, V1PodSpec][] = [
  ['a member', memberPod(cluster, 'copy-a', { state: 'new', initialCluster: ['copy-a=http://a'] }).spec],
  [
    'a seed restored from a PVC',
    memberPod(cluster, 'copy-a', {
      state: 'new',
      initialCluster: ['copy-a=http://a'],
      restore: { ...snapshot, claimName: 'backups' },
    }).spec,
  ],
  [
    'a seed restored from S3',
    memberPod(cluster, 'copy-a', {
      state: 'new',
      initialCluster: ['copy-a=http://a'],
      restore: {
        ...snapshot,
        s3: { endpoint: 'http://s3:9000', bucket: 'b-1', credentialsSecret: 's3' },
      },
    }).spec,
  ],
  [
    'a snapshot Job',
    snapshotJob(backup, {
      job: 'nightly-20261128-020000',
      scheduledTime: '2026-11-28T02:00:00.000Z',
      claimName: 'backups',
      folder: 'nightly',
      endpoint: 'http://10.244.1.7:2379',
      member: 'copy-a',
      image: 'quay.io/coreos/etcd:v3.6.16',
      timeoutSeconds: 120,
      deleteAfter: [],
    }).spec.template.spec!,
  ],
];

describe('the Pods the operator makes meet the restricted Pod Security Standard', () => {
  it.each(pods)('%s runs as a non-root user with seccomp RuntimeDefault', (_what, spec) => {
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: MEMBER_UID,
      runAsGroup: MEMBER_UID,
      fsGroup: MEMBER_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it.each(pods)(
    '%s: every container drops ALL capabilities, cannot escalate, and has a read-only root',
    (_what, spec) => {
      const containers: V1Container[] = [...(spec.initContainers ?? []), ...spec.containers];
      expect(containers.length).toBeGreaterThan(0);
      for (const c of containers)
        expect({ [c.name]: c.securityContext }).toEqual({
          [c.name]: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
          },
        });
    },
  );
});

describe('a member whose PVC an older operator made (data written as root)', () => {
  const boot = { state: 'existing' as const, initialCluster: [] };
  const rootPod = memberPod(cluster, 'web-a1b2c', { ...boot, dataOwnedByRoot: true });
  const plainPod = memberPod(cluster, 'web-a1b2c', boot);

  it('runs as root so etcd can read its 0700 data folder, still without capabilities, escalation or a writable root', () => {
    expect(rootPod.spec?.securityContext).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(rootPod.spec?.containers[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: false,
    });
  });

  it('carries the same template hash as its non-root members, so the rollout does not recreate it for ever', () => {
    expect(rootPod.metadata.annotations?.[MEMBER_TEMPLATE_ANNOTATION]).toBe(
      plainPod.metadata.annotations?.[MEMBER_TEMPLATE_ANNOTATION],
    );
  });

  it('is told apart by the PVCs this operator makes, which name the user their data is written as', () => {
    expect(memberPvc(cluster, 'web-a1b2c').metadata.annotations).toEqual({
      [DATA_OWNER_ANNOTATION]: String(MEMBER_UID),
    });
  });
});
