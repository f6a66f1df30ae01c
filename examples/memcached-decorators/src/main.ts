#!/usr/bin/env node
// `memcached-operator-decorators`: the decorated controller under a Manager
// configured from the environment ($KUBECONFIG, $WATCH_NAMESPACE).
import { Manager, shutdownSignal } from '@switchboard/core';

import { addMemcachedController } from './controller.js';

const namespace = process.env['WATCH_NAMESPACE'];
const manager = new Manager({
  ...(namespace ? { namespace } : {}),
  leaderElection: { leaseName: 'memcached-operator-leader' },
});
addMemcachedController(manager);
await manager.start(shutdownSignal());
