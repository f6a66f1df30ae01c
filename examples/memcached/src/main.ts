#!/usr/bin/env node
// `memcached-operator`: runs the Memcached controller under a Manager. The
// standard flags (--kubeconfig, --namespace, --leader-elect, ...) come from
// core's operatorMain; `memcached-operator --help` lists them.
import { operatorMain } from '@switchboard/core';

import { addMemcachedController } from './controller.js';

// process.exit: a clean shutdown ends the process even if a socket lingers.
process.exit(
  await operatorMain({
    name: 'memcached-operator',
    description: 'runs the Memcached controller',
    fieldManager: 'memcached-operator',
    setup: (manager) => {
      addMemcachedController(manager);
    },
  }),
);
