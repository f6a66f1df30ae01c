// The e2e suites need the local cluster's real node (kubelet, containerd and
// the Prometheus, Alertmanager, node_exporter and reloader images). This
// finds out, before any test is declared, whether the cluster under test has
// a Ready node, so the suites run there and are reported as skipped (with the
// reason printed) where there is none.
import { Client } from '@switchboard/core';
import type { KubeObject } from '@switchboard/core';
import { testKubeConfig } from '@switchboard/testing';

interface Node extends KubeObject {
  status?: { conditions?: { type: string; status: string }[] };
}

/** Why e2e suites cannot run here, or undefined when they can. */
export async function whyNoNode(): Promise<string | undefined> {
  try {
    const client = Client.fromKubeConfig(testKubeConfig());
    const nodes = await client.resource<Node>({ apiVersion: 'v1', kind: 'Node' }).list();
    client.close();
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
