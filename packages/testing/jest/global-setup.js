// Starts one real control plane per `jest` run and hands it to every suite
// through environment variables (workers inherit the parent's environment).
// Plain JavaScript over the built package: jest loads global setup outside
// its module system, so it cannot take the TypeScript sources.
import { startControlPlane, TEST_ENV } from '../dist/index.js';

export default async function globalSetup() {
  if (process.env[TEST_ENV.noCluster] === '1') return;
  const existing = process.env[TEST_ENV.existingKubeconfig];
  if (existing) {
    process.env[TEST_ENV.kubeconfig] = existing;
    return;
  }
  const started = Date.now();
  const cp = await startControlPlane();
  globalThis.__switchboardControlPlane = cp;
  process.env[TEST_ENV.kubeconfig] = cp.kubeconfigPath;
  process.env[TEST_ENV.etcdEndpoint] = cp.etcdEndpoint;
  process.env[TEST_ENV.controlPlaneDir] = cp.dir;
  process.stderr.write(
    `\ncontrol plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${cp.server}\n`,
  );
}
