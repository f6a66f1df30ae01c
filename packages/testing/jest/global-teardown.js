export default async function globalTeardown() {
  const cluster = globalThis.__switchboardCluster;
  if (!cluster) return;
  globalThis.__switchboardCluster = undefined;
  await cluster.stop({ removeData: process.env.SWITCHBOARD_KEEP_TEST_CLUSTER !== '1' });
}
