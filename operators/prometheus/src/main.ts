#!/usr/bin/env node
// `prometheus-operator`: runs the Prometheus and Alertmanager controllers. The
// standard flags (--kubeconfig, --namespace, --leader-elect, ...) come from
// core's operatorMain; `prometheus-operator --help` lists them all.
import { operatorMain } from '@switchboard/core';

import { addAlertmanagerController } from './controller/alertmanager-controller.js';
import { addPrometheusController } from './controller/prometheus-controller.js';
import { DEFAULT_IMAGES } from './resources/images.js';

// process.exit: a clean shutdown ends the process even if a socket lingers.
process.exit(
  await operatorMain({
    name: 'prometheus-operator',
    description: 'runs the Prometheus and Alertmanager controllers',
    flags: {
      'prometheus-default-base-image': {
        type: 'string',
        value: 'REPO',
        default: DEFAULT_IMAGES.prometheusBaseImage,
        usage: `Prometheus image repository (default ${DEFAULT_IMAGES.prometheusBaseImage})`,
      },
      'alertmanager-default-base-image': {
        type: 'string',
        value: 'REPO',
        default: DEFAULT_IMAGES.alertmanagerBaseImage,
        usage: `Alertmanager image repository (default ${DEFAULT_IMAGES.alertmanagerBaseImage})`,
      },
      'prometheus-config-reloader': {
        type: 'string',
        value: 'IMAGE',
        default: DEFAULT_IMAGES.configReloaderImage,
        usage: `config reloader image (default ${DEFAULT_IMAGES.configReloaderImage})`,
      },
    },
    setup(manager, flags) {
      const images = {
        prometheusBaseImage: flags['prometheus-default-base-image'],
        alertmanagerBaseImage: flags['alertmanager-default-base-image'],
        configReloaderImage: flags['prometheus-config-reloader'],
      };
      const namespace = manager.namespace;
      addPrometheusController(manager, { images, ...(namespace !== undefined ? { namespace } : {}) });
      addAlertmanagerController(manager, { images });
    },
  }),
);
