#!/usr/bin/env node
// `prometheus-operator`: runs the Prometheus and Alertmanager controllers.
//
//   prometheus-operator [--kubeconfig PATH] [--namespace NS] [--leader-elect]
//                       [--leader-election-namespace NS] [--metrics-bind-address :8080]
//                       [--health-probe-bind-address :8081]
//                       [--prometheus-default-base-image REPO] [--alertmanager-default-base-image REPO]
//                       [--prometheus-config-reloader IMAGE]
import { parseArgs } from 'node:util';

import { Client, Manager, shutdownSignal } from '@switchboard/core';

import { addAlertmanagerController } from './controller/alertmanager-controller.js';
import { addPrometheusController } from './controller/prometheus-controller.js';
import { DEFAULT_IMAGES } from './resources/images.js';
import type { ImageSettings } from './resources/images.js';

const USAGE = `usage: prometheus-operator [flags]
  --kubeconfig PATH                        kubeconfig (default $KUBECONFIG, ~/.kube/config or in-cluster)
  --namespace NS                           watch one namespace (default all)
  --leader-elect                           run only while holding the Lease
  --leader-election-namespace NS           namespace of the Lease (default --namespace or "default")
  --metrics-bind-address ADDR              /metrics address (default :8080, "0" disables)
  --health-probe-bind-address ADDR         /healthz and /readyz address (default :8081, "0" disables)
  --prometheus-default-base-image REPO     Prometheus image repository (default ${DEFAULT_IMAGES.prometheusBaseImage})
  --alertmanager-default-base-image REPO   Alertmanager image repository (default ${DEFAULT_IMAGES.alertmanagerBaseImage})
  --prometheus-config-reloader IMAGE       config reloader image (default ${DEFAULT_IMAGES.configReloaderImage})`;

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
      'prometheus-default-base-image': { type: 'string', default: DEFAULT_IMAGES.prometheusBaseImage },
      'alertmanager-default-base-image': { type: 'string', default: DEFAULT_IMAGES.alertmanagerBaseImage },
      'prometheus-config-reloader': { type: 'string', default: DEFAULT_IMAGES.configReloaderImage },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) {
    process.stderr.write(`unknown command ${positionals[0]}\n${USAGE}\n`);
    return 2;
  }
  // The client reads $KUBECONFIG first; the flag wins over the environment.
  if (values.kubeconfig) process.env.KUBECONFIG = values.kubeconfig;
  const namespace = values.namespace;
  const images: ImageSettings = {
    prometheusBaseImage: values['prometheus-default-base-image'],
    alertmanagerBaseImage: values['alertmanager-default-base-image'],
    configReloaderImage: values['prometheus-config-reloader'],
  };
  const manager = new Manager({
    client: Client.fromDefault(),
    ...(namespace ? { namespace } : {}),
    leaderElection: values['leader-elect']
      ? {
          leaseName: 'prometheus-operator-leader',
          ...(values['leader-election-namespace'] ? { namespace: values['leader-election-namespace'] } : {}),
        }
      : false,
    metricsBindAddress: values['metrics-bind-address'],
    healthProbeBindAddress: values['health-probe-bind-address'],
  });
  addPrometheusController(manager, { images, ...(namespace ? { namespace } : {}) });
  addAlertmanagerController(manager, { images });
  await manager.start(shutdownSignal());
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `prometheus-operator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
