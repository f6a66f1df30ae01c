// Starts one real cluster per `jest` run and hands it to every suite through
// environment variables (workers inherit the parent's environment). Published
// as `@switchboard/testing/jest/global-setup`, with its teardown beside it:
//
//   export default {
//     globalSetup: '@switchboard/testing/jest/global-setup',
//     globalTeardown: '@switchboard/testing/jest/global-teardown',
//   };
//
// With root and the node stack built, the cluster has real nodes (kubelet,
// containerd, CoreDNS, a local registry), so operator suites run their pods;
// otherwise it is a control plane alone and node suites skip, saying why.
// SWITCHBOARD_TEST_NODES=N picks the node count (0: control plane only).
//
// Plain JavaScript over the built package: jest loads global setup outside
// its module system, so it cannot take the TypeScript sources.
import { readFileSync } from 'node:fs';

// The package is imported only after the Node version is checked: on a Node
// older than its engines allow, the first import of client-node throws an
// error that names neither Node nor the version needed.
const minimum = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).engines.node.replace(/^>=/, '');
const older = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
};

function nodeCount(nodeBinaries) {
  const asked = process.env.SWITCHBOARD_TEST_NODES;
  if (asked !== undefined) {
    const n = Number(asked);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`SWITCHBOARD_TEST_NODES: expected a whole number, got ${asked}`);
    return n;
  }
  if (process.getuid?.() !== 0) return 0;
  try {
    nodeBinaries();
    return 1;
  } catch {
    return 0;
  }
}

export default async function globalSetup() {
  if (older(process.versions.node, minimum)) {
    throw new Error(
      `@switchboard/testing: Node ${process.versions.node} is too old, it needs Node ${minimum} or newer (Node 24 recommended); install it, put it first on PATH, and run the tests again`,
    );
  }
  const { nodeBinaries, startControlPlane, startLocalCluster, TEST_ENV } = await import('../dist/index.js');
  if (process.env[TEST_ENV.noCluster] === '1') return;
  // A jest run started by a suite of an outer run (a scaffolded project's own
  // tests, say) uses the outer run's cluster rather than starting another.
  if (process.env[TEST_ENV.kubeconfig]) return;
  const existing = process.env[TEST_ENV.existingKubeconfig];
  if (existing) {
    process.env[TEST_ENV.kubeconfig] = existing;
    return;
  }
  const started = Date.now();
  const nodes = nodeCount(nodeBinaries);
  const onProgress = (line) =>
    process.stderr.write(`  cluster ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s  ${line}\n`);
  process.stderr.write('\n');
  const handle =
    nodes > 0
      ? await startLocalCluster({ nodes, onProgress, waitForOtherClusterMs: 10 * 60_000 })
      : await startControlPlane({ onProgress });
  const controlPlane = nodes > 0 ? handle.controlPlane : handle;
  globalThis.__switchboardCluster = handle;
  process.env[TEST_ENV.kubeconfig] = handle.kubeconfigPath;
  process.env[TEST_ENV.etcdEndpoint] = controlPlane.etcdEndpoint;
  process.env[TEST_ENV.controlPlaneDir] = controlPlane.dir;
  if (nodes > 0) process.env[TEST_ENV.clusterDir] = handle.dir;
  const what = nodes > 0 ? `cluster with ${nodes} node(s)` : 'control plane';
  process.stderr.write(
    `${what} ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${handle.server}\n`,
  );
}
