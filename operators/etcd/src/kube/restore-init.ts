// The init containers that restore a seed member from a snapshot (see
// ../runbook/restore.ts for the rules): busybox's shell is installed first
// (toolbox.ts), then a container of the cluster's etcd image checks the
// file's sha256 and runs `etcdutl snapshot restore` into a temporary folder,
// renamed into place when complete. The backup PVC is mounted read-only.
import type { V1Container, V1Volume } from '@kubernetes/client-node';

import type { RestoreFrom } from '../runbook/restore.js';
import { RESTORE_REVISION_BUMP } from '../runbook/restore.js';
import { toolsInitContainer, toolsMount, toolsPath, toolsShell, toolsVolume } from './toolbox.js';

const SOURCE_MOUNT = '/restore-source';

const SCRIPT = `
if [ -d "$DATA_DIR" ]; then echo "data folder $DATA_DIR exists; nothing to restore"; exit 0; fi
echo "$SHA256  $SOURCE_MOUNT/$SNAPSHOT_PATH" | sha256sum -c -
rm -rf "$DATA_DIR.restore"
etcdutl snapshot restore "$SOURCE_MOUNT/$SNAPSHOT_PATH" \\
  --name "$MEMBER" --initial-cluster "$INITIAL_CLUSTER" --initial-cluster-token "$TOKEN" \\
  --initial-advertise-peer-urls "$PEER_URL" --data-dir "$DATA_DIR.restore" \\
  --bump-revision "$BUMP" --mark-compacted
mv "$DATA_DIR.restore" "$DATA_DIR"
`.trim();

/** What the restore container needs besides the snapshot. */
export interface RestoreTarget {
  member: string;
  peerURL: string;
  /** `name=peerURL` of the seed. */
  initialCluster: string;
  token: string;
  /** Data folder etcd runs on, and the mount of the data volume. */
  dataDir: string;
  dataMount: { name: string; mountPath: string };
  image: string;
}

/** Init containers restoring the seed's data folder from `from`. */
export function restoreInitContainers(from: RestoreFrom, target: RestoreTarget): V1Container[] {
  return [
    toolsInitContainer(),
    {
      name: 'restore',
      image: target.image,
      command: toolsShell(SCRIPT),
      env: [
        toolsPath(),
        { name: 'SOURCE_MOUNT', value: SOURCE_MOUNT },
        { name: 'SNAPSHOT_PATH', value: from.path },
        { name: 'SHA256', value: from.sha256 },
        { name: 'MEMBER', value: target.member },
        { name: 'INITIAL_CLUSTER', value: target.initialCluster },
        { name: 'TOKEN', value: target.token },
        { name: 'PEER_URL', value: target.peerURL },
        { name: 'DATA_DIR', value: target.dataDir },
        { name: 'BUMP', value: String(RESTORE_REVISION_BUMP) },
      ],
      volumeMounts: [
        target.dataMount,
        { name: 'restore-source', mountPath: SOURCE_MOUNT, readOnly: true },
        toolsMount(),
      ],
      terminationMessagePolicy: 'FallbackToLogsOnError',
    },
  ];
}

/** Volumes the restore needs: the backup PVC (read-only) and the tools. */
export function restoreVolumes(from: RestoreFrom): V1Volume[] {
  return [
    { name: 'restore-source', persistentVolumeClaim: { claimName: from.claimName, readOnly: true } },
    toolsVolume(),
  ];
}
