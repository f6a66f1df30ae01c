// Shared by the node integration suites: the cluster they run on, and small
// builders for the objects they create.
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';

import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Container, V1Pod } from '@kubernetes/client-node';

import { eventually, kubernetesBinary, startLocalCluster } from '../src/index.js';
import type { LocalCluster } from '../src/index.js';

const exec = promisify(execFile);

export const TEST_SERVER_IMAGE = 'switchboard.local/http-test-server:1';

/**
 * Starts a local cluster with real nodes for one suite. One runs per host at a
 * time, so this waits (up to 15 minutes) for another suite's or person's
 * cluster to stop.
 */
export async function startSuiteCluster(nodes: number): Promise<{ cluster: LocalCluster; kc: KubeConfig }> {
  const cluster = await startLocalCluster({ nodes, waitForOtherClusterMs: 15 * 60_000 });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  return { cluster, kc };
}

/** Runs the kubectl built with the control plane against the cluster. */
export async function kubectl(cluster: LocalCluster, ...args: string[]): Promise<string> {
  const { stdout } = await exec(
    kubernetesBinary('kubectl'),
    [`--kubeconfig=${cluster.kubeconfigPath}`, ...args],
    {
      timeout: 60_000,
    },
  );
  return stdout;
}

/** The HTTP test server container, with probes on /healthz and /readyz. */
export function testServerContainer(overrides: Partial<V1Container> = {}): V1Container {
  return {
    name: 'server',
    image: TEST_SERVER_IMAGE,
    ports: [{ containerPort: 8080, name: 'http' }],
    readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1, failureThreshold: 2 },
    ...overrides,
  };
}

/**
 * GETs (or POSTs) a URL from the host on a new connection each time (a pooled
 * connection would stick to one Service backend); resolves with status and body.
 */
export function httpGet(url: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export async function waitPodReady(
  kc: KubeConfig,
  namespace: string,
  name: string,
  timeout = 90_000,
): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  return eventually(
    async () => {
      const pod = await core.readNamespacedPod({ namespace, name });
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;
      if (ready !== 'True') {
        const why = (pod.status?.conditions ?? [])
          .filter((c) => c.status !== 'True')
          .map((c) => `${c.type}: ${c.reason ?? ''} ${c.message ?? ''}`.trim());
        const waiting = (pod.status?.containerStatuses ?? [])
          .map((c) => c.state?.waiting?.reason)
          .filter(Boolean);
        throw new Error(`pod ${name}: phase ${pod.status?.phase}; ${[...why, ...waiting].join('; ')}`);
      }
      return pod;
    },
    { timeout, interval: 250, message: `pod ${namespace}/${name} Ready` },
  );
}

export async function waitDeploymentAvailable(
  kc: KubeConfig,
  namespace: string,
  name: string,
  timeout = 120_000,
): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  await eventually(
    async () => {
      const d = await apps.readNamespacedDeployment({ namespace, name });
      const available = d.status?.conditions?.find((c) => c.type === 'Available')?.status;
      if (available !== 'True' || (d.status?.availableReplicas ?? 0) < (d.spec?.replicas ?? 1)) {
        throw new Error(
          `deployment ${name}: available ${d.status?.availableReplicas ?? 0}/${d.spec?.replicas}`,
        );
      }
    },
    { timeout, interval: 500, message: `deployment ${namespace}/${name} Available` },
  );
}
