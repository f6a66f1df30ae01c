#!/usr/bin/env node
// `etcd-operator`: runs the EtcdCluster and EtcdBackup controllers, or prints
// their CRDs (config/crd/ is written by `switchboard crd --write`). The
// standard flags (--kubeconfig, --namespace, --leader-elect, ...) come from
// core's operatorMain; `etcd-operator --help` lists them all. `fetch-snapshot`
// is not for users: it is the init container of a seed restored from S3.
import { operatorMain } from '@switchboard/core';

import { EtcdBackupResource } from './api/backup-crd.js';
import { EtcdClusterResource } from './api/crd.js';
import { addEtcdBackupController } from './controller/backup-controller.js';
import { addEtcdController } from './controller/etcd-controller.js';
import { DEFAULT_TOOLBOX_IMAGE } from './kube/member-pod.js';
import { runFetchSnapshot } from './s3/fetch-snapshot.js';
import type { MemberAddressing } from './runbook/member-names.js';

// process.exit: a clean shutdown ends the process even if a socket lingers.
process.exit(
  await operatorMain({
    name: 'etcd-operator',
    description: 'runs the EtcdCluster and EtcdBackup controllers',
    flags: {
      'member-address': {
        type: 'string',
        value: 'MODE',
        default: 'auto',
        choices: ['auto', 'dns', 'pod-ip'],
        usage: 'reach etcd members by DNS name or Pod IP (auto: dns inside a Pod, pod-ip outside)',
      },
      'toolbox-image': {
        type: 'string',
        value: 'IMAGE',
        default: DEFAULT_TOOLBOX_IMAGE,
        usage:
          "image holding this operator's fetch-snapshot command, run by a seed restored from S3 (pass the image this operator runs as)",
      },
    },
    commands: {
      crd: {
        usage: 'print the CRDs',
        run: () => {
          process.stdout.write(
            [EtcdClusterResource, EtcdBackupResource].map((r) => r.crdYaml()).join('---\n'),
          );
        },
      },
      'fetch-snapshot': {
        usage:
          'download an S3 snapshot and check its sha256 (the init container of a seed restored from S3; reads SNAPSHOT_* and AWS_* variables)',
        run: () => runFetchSnapshot(process.env),
      },
    },
    setup(manager, flags) {
      const addressing = flags['member-address'];
      const memberAddressing: { memberAddressing?: MemberAddressing } =
        addressing === 'dns' || addressing === 'pod-ip' ? { memberAddressing: addressing } : {};
      const toolboxImage = flags['toolbox-image'];
      addEtcdController(manager, {
        ...memberAddressing,
        ...(typeof toolboxImage === 'string' && toolboxImage ? { toolboxImage } : {}),
      });
      addEtcdBackupController(manager, memberAddressing);
    },
  }),
);
