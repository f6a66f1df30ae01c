// What a test suite needs to work against the cluster the jest global setup
// started (or an existing cluster named by SWITCHBOARD_TEST_KUBECONFIG).
import { randomBytes } from 'node:crypto';

import { CoreV1Api, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';

import { switchboardCommand } from './command-hint.js';

/** Environment variables through which the global setup hands the cluster to suites. */
export const TEST_ENV = {
  /** Kubeconfig of the cluster under test (set by the global setup). */
  kubeconfig: 'SWITCHBOARD_KUBECONFIG',
  /** Set by users to run the suites against an existing cluster instead of a local one. */
  existingKubeconfig: 'SWITCHBOARD_TEST_KUBECONFIG',
  /** etcd client URL of the local control plane (absent for an existing cluster). */
  etcdEndpoint: 'SWITCHBOARD_TEST_ETCD_ENDPOINT',
  /** Folder of the local control plane (absent for an existing cluster). */
  controlPlaneDir: 'SWITCHBOARD_TEST_CONTROL_PLANE_DIR',
  /** Folder of the local cluster with nodes, for attachLocalCluster (absent without nodes). */
  clusterDir: 'SWITCHBOARD_TEST_CLUSTER_DIR',
  /** Set to 1 to run without any cluster (unit tests only). */
  noCluster: 'SWITCHBOARD_NO_CLUSTER',
} as const;

/** Path of the kubeconfig of the cluster under test; throws with what to do when there is none. */
export function testKubeconfigPath(): string {
  const path = process.env[TEST_ENV.kubeconfig] ?? process.env[TEST_ENV.existingKubeconfig];
  if (!path) {
    throw new Error(
      `no test cluster: give jest the global setup that starts one ` +
        `(globalSetup: '@switchboard/testing/jest/global-setup', globalTeardown: '@switchboard/testing/jest/global-teardown'), ` +
        `or set ${TEST_ENV.existingKubeconfig} to the kubeconfig of an existing cluster`,
    );
  }
  return path;
}

/** A KubeConfig for the cluster under test. */
export function testKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testKubeconfigPath());
  return kc;
}

/** A namespace a suite owns; `delete()` removes it (and waits for nothing). */
export interface TestNamespace {
  readonly name: string;
  /** Deletes the namespace (and so everything in it); a namespace already gone is fine. */
  delete(): Promise<void>;
}

/** Options of {@link createTestNamespace}. */
export interface TestNamespaceOptions {
  /**
   * The Pod Security Standard the namespace enforces
   * (`pod-security.kubernetes.io/enforce`): the API server refuses Pods that
   * break it, so a suite proves its workloads run under it. Default: none
   * (the cluster's default, privileged).
   */
  readonly podSecurity?: 'privileged' | 'baseline' | 'restricted';
}

/**
 * Creates a uniquely named namespace for one suite, labelled so leftovers can
 * be found (`switchboard.dev/test=true`).
 *
 * @example
 * ```ts
 * const ns = await createTestNamespace(kc, 'etcd-e2e', { podSecurity: 'restricted' });
 * ```
 */
export async function createTestNamespace(
  kc: KubeConfig,
  prefix = 'test',
  options: TestNamespaceOptions = {},
): Promise<TestNamespace> {
  const core = kc.makeApiClient(CoreV1Api);
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40)
    .replace(/-+$/, '');
  const name = `${clean}-${randomBytes(3).toString('hex')}`;
  const labels: Record<string, string> = { 'switchboard.dev/test': 'true' };
  if (options.podSecurity !== undefined) labels['pod-security.kubernetes.io/enforce'] = options.podSecurity;
  await core.createNamespace({ body: { metadata: { name, labels } } });
  return {
    name,
    async delete() {
      try {
        await core.deleteNamespace({ name });
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    },
  };
}

/** Options of {@link whyNoNode}. */
export interface NodeGateOptions {
  /** How long to wait for cluster DNS to have a ready endpoint. Default 60 000 ms. */
  readonly dnsTimeoutMs?: number;
}

async function clusterDnsReady(kc: KubeConfig): Promise<boolean> {
  const slices = await kc.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({
    namespace: 'kube-system',
    labelSelector: 'kubernetes.io/service-name=kube-dns',
  });
  return slices.items.some((s) => (s.endpoints ?? []).some((e) => e.conditions?.ready === true));
}

/**
 * Why suites that need a real node cannot run against the cluster under
 * test, or undefined when they can. Call it at the top of an e2e suite and
 * skip the suite with the reason when there is one.
 *
 * A cluster with a Ready node can run them; before answering, this waits
 * for cluster DNS (the kube-dns Service) to have a ready endpoint, because
 * workloads such as etcd members find their peers by name. A DNS that stays
 * down is reported on stderr and the suite runs anyway (its failures then
 * say what was wrong), so a broken cluster is never reported as skipped.
 *
 * @example
 * const skipReason = await whyNoNode();
 * const describeE2E = skipReason ? describe.skip : describe;
 */
export async function whyNoNode(options: NodeGateOptions = {}): Promise<string | undefined> {
  let kc: KubeConfig;
  try {
    kc = testKubeConfig();
    const nodes = await kc.makeApiClient(CoreV1Api).listNode();
    const ready = nodes.items.some((n) =>
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (!ready) {
      return `the test cluster has no Ready node (start one with \`${switchboardCommand('cluster up')}\` and set SWITCHBOARD_TEST_KUBECONFIG)`;
    }
  } catch (err) {
    return `no test cluster: ${err instanceof Error ? err.message : String(err)}`;
  }
  const deadline = Date.now() + (options.dnsTimeoutMs ?? 60_000);
  for (;;) {
    if (await clusterDnsReady(kc).catch(() => false)) return undefined;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  process.stderr.write('warning: cluster DNS (kube-system/kube-dns) has no ready endpoint; running anyway\n');
  return undefined;
}
