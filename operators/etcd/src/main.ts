#!/usr/bin/env node
// `etcd-operator`: runs the EtcdCluster and EtcdBackup controllers, or prints their CRDs.
//
//   etcd-operator [--kubeconfig PATH] [--namespace NS] [--leader-elect]
//                 [--leader-election-namespace NS] [--metrics-bind-address :8080]
//                 [--health-probe-bind-address :8081] [--member-address auto|dns|pod-ip]
//   etcd-operator crd               print the CRDs (config/crd/ is written by `switchboard crd --write`)
import { parseArgs } from 'node:util';

import { KubeConfig } from '@kubernetes/client-node';
import { Client, Manager, shutdownSignal } from '@switchboard/core';

import { EtcdBackupResource } from './api/backup-crd.js';
import { EtcdClusterResource } from './api/crd.js';
import { addEtcdBackupController } from './controller/backup-controller.js';
import { addEtcdController } from './controller/etcd-controller.js';

const USAGE = `usage: etcd-operator [flags] | etcd-operator crd
  --kubeconfig PATH                   kubeconfig (default $KUBECONFIG, ~/.kube/config or in-cluster)
  --namespace NS                      watch one namespace (default all)
  --leader-elect                      run only while holding the Lease
  --leader-election-namespace NS      namespace of the Lease (default --namespace or "default")
  --metrics-bind-address ADDR         /metrics address (default :8080, "0" disables)
  --health-probe-bind-address ADDR    /healthz and /readyz address (default :8081, "0" disables)
  --member-address auto|dns|pod-ip    reach etcd members by their DNS names or Pod IPs (default auto:
                                      dns inside a Pod, pod-ip on a host outside the cluster's DNS)`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      'leader-elect': { type: 'boolean', default: false },
      'leader-election-namespace': { type: 'string' },
      'metrics-bind-address': { type: 'string', default: ':8080' },
      'health-probe-bind-address': { type: 'string', default: ':8081' },
      'member-address': { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals[0] === 'crd') {
    process.stdout.write([EtcdClusterResource, EtcdBackupResource].map((r) => r.crdYaml()).join('---\n'));
    return 0;
  }
  if (positionals.length > 0) {
    process.stderr.write(`unknown command ${positionals[0]}\n${USAGE}\n`);
    return 2;
  }
  const memberAddress = values['member-address'];
  if (memberAddress !== 'auto' && memberAddress !== 'dns' && memberAddress !== 'pod-ip') {
    process.stderr.write(`--member-address: expected auto, dns or pod-ip, got ${memberAddress}\n${USAGE}\n`);
    return 2;
  }
  let client: Client | undefined;
  if (values.kubeconfig) {
    const kc = new KubeConfig();
    kc.loadFromFile(values.kubeconfig);
    client = Client.fromKubeConfig(kc);
  }
  const manager = new Manager({
    ...(client ? { client } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    leaderElection: values['leader-elect']
      ? {
          leaseName: 'etcd-operator-leader',
          ...(values['leader-election-namespace'] ? { namespace: values['leader-election-namespace'] } : {}),
        }
      : false,
    metricsBindAddress: values['metrics-bind-address'],
    healthProbeBindAddress: values['health-probe-bind-address'],
  });
  addEtcdController(manager, memberAddress === 'auto' ? {} : { memberAddressing: memberAddress });
  addEtcdBackupController(manager);
  await manager.start(shutdownSignal());
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `etcd-operator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
