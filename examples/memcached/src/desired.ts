// The objects a Memcached should have, as pure functions of it: the reconcile
// applies them with server-side apply, so running it twice changes nothing.
import { setControllerReference } from '@switchboard/core';
import type { ApplyObject } from '@switchboard/core';

import type { Memcached } from './api.js';
import type { Deployment, Service } from './kube-types.js';
import { DeploymentType, ServiceType } from './kube-types.js';

/** The image of memcached (the local node serves it from Debian's memcached). */
export const MEMCACHED_IMAGE = 'docker.io/library/memcached:1.6';
const DEFAULT_PORT = 11211;

/** Labels of every object of one Memcached; the pod selector uses the first two. */
export function labelsFor(memcached: Memcached): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'memcached',
    'app.kubernetes.io/instance': memcached.metadata.name ?? '',
    'app.kubernetes.io/managed-by': 'memcached-operator',
  };
}

/** The selector of the Memcached's pods, as a label selector string. */
export function podSelector(memcached: Memcached): string {
  return `app.kubernetes.io/name=memcached,app.kubernetes.io/instance=${memcached.metadata.name ?? ''}`;
}

function identity(memcached: Memcached): { name: string; namespace: string } {
  const { name, namespace } = memcached.metadata;
  if (!name || !namespace)
    throw new TypeError('a Memcached read from the API server has a name and a namespace');
  return { name, namespace };
}

/** A Deployment of `spec.size` memcached pods, controlled by the Memcached. */
export function desiredDeployment(memcached: Memcached): ApplyObject<Deployment> {
  const labels = labelsFor(memcached);
  const port = memcached.spec.containerPort ?? DEFAULT_PORT;
  const deployment = {
    ...DeploymentType,
    metadata: { ...identity(memcached), labels },
    spec: {
      replicas: memcached.spec.size,
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'memcached',
          'app.kubernetes.io/instance': labels['app.kubernetes.io/instance'] ?? '',
        },
      },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 11211, runAsGroup: 11211 },
          containers: [
            {
              name: 'memcached',
              image: MEMCACHED_IMAGE,
              args: ['-m', '64', '-p', String(port)],
              ports: [{ name: 'memcached', containerPort: port }],
              readinessProbe: { tcpSocket: { port: 'memcached' }, periodSeconds: 2 },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  };
  return setControllerReference(memcached, deployment);
}

/** A ClusterIP Service in front of the memcached pods, controlled by the Memcached. */
export function desiredService(memcached: Memcached): ApplyObject<Service> {
  const labels = labelsFor(memcached);
  const port = memcached.spec.containerPort ?? DEFAULT_PORT;
  const service = {
    ...ServiceType,
    metadata: { ...identity(memcached), labels },
    spec: {
      selector: {
        'app.kubernetes.io/name': 'memcached',
        'app.kubernetes.io/instance': labels['app.kubernetes.io/instance'] ?? '',
      },
      ports: [{ name: 'memcached', port, targetPort: 'memcached' }],
    },
  };
  return setControllerReference(memcached, service);
}
