// The node suites need the local cluster's real node (kubelet, containerd and
// the memcached image the image catalog assembles from Debian's memcached).
// This finds out before any test is declared whether the cluster under test
// has a Ready node, so those suites run there and are reported as skipped,
// with the reason printed, where there is none.
import { CoreV1Api } from '@kubernetes/client-node';
import { testKubeConfig } from '@switchboard/testing';

/** Why node suites cannot run here, or undefined when they can. */
export async function whyNoNode(): Promise<string | undefined> {
  try {
    const nodes = await testKubeConfig().makeApiClient(CoreV1Api).listNode();
    const ready = nodes.items.filter((n) =>
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    return ready.length > 0
      ? undefined
      : 'the test cluster has no Ready node (start one with `npm run cluster -- up` and set SWITCHBOARD_TEST_KUBECONFIG)';
  } catch (err) {
    return `no test cluster: ${err instanceof Error ? err.message : String(err)}`;
  }
}
