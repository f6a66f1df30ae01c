#!/usr/bin/env node
// `etcd-operator`: runs the EtcdCluster and EtcdBackup controllers, or prints
// their CRDs (config/crd/ is written by `switchboard crd --write`). The
// standard flags (--kubeconfig, --namespace, --leader-elect, ...) come from
// core's operatorMain; `etcd-operator --help` lists them all.
import { operatorMain } from '@switchboard/core';

import { EtcdBackupResource } from './api/backup-crd.js';
import { EtcdClusterResource } from './api/crd.js';
import { addEtcdBackupController } from './controller/backup-controller.js';
import { addEtcdController } from './controller/etcd-controller.js';
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
    },
    setup(manager, flags) {
      const addressing = flags['member-address'];
      const memberAddressing: { memberAddressing?: MemberAddressing } =
        addressing === 'dns' || addressing === 'pod-ip' ? { memberAddressing: addressing } : {};
      addEtcdController(manager, memberAddressing);
      addEtcdBackupController(manager, memberAddressing);
    },
  }),
);
