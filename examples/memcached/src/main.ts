#!/usr/bin/env node
// `memcached-operator`: runs the Memcached controller under a Manager.
import { parseArgs } from 'node:util';

import { KubeConfig } from '@kubernetes/client-node';
import { Client, Manager, shutdownSignal } from '@switchboard/core';

import { addMemcachedController } from './controller.js';

const USAGE = `usage: memcached-operator [flags]
  --kubeconfig PATH                   kubeconfig (default $KUBECONFIG, ~/.kube/config or in-cluster)
  --namespace NS                      watch one namespace (default all)
  --leader-elect                      run only while holding the Lease
  --leader-election-namespace NS      namespace of the Lease (default --namespace or "default")
  --metrics-bind-address ADDR         /metrics address (default :8080, "0" disables)
  --health-probe-bind-address ADDR    /healthz and /readyz address (default :8081, "0" disables)
`;

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    namespace: { type: 'string' },
    'leader-elect': { type: 'boolean', default: false },
    'leader-election-namespace': { type: 'string' },
    'metrics-bind-address': { type: 'string', default: ':8080' },
    'health-probe-bind-address': { type: 'string', default: ':8081' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

let client: Client | undefined;
if (values.kubeconfig !== undefined) {
  const kc = new KubeConfig();
  kc.loadFromFile(values.kubeconfig);
  client = Client.fromKubeConfig(kc, { fieldManager: 'memcached-operator' });
}
const manager = new Manager({
  ...(client ? { client } : {}),
  ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
  leaderElection: values['leader-elect']
    ? {
        leaseName: 'memcached-operator-leader',
        ...(values['leader-election-namespace'] !== undefined
          ? { namespace: values['leader-election-namespace'] }
          : {}),
      }
    : false,
  metricsBindAddress: values['metrics-bind-address'],
  healthProbeBindAddress: values['health-probe-bind-address'],
});
addMemcachedController(manager);
await manager.start(shutdownSignal());
