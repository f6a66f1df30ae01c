export default async function globalTeardown() {
  const cp = globalThis.__switchboardControlPlane;
  if (!cp) return;
  globalThis.__switchboardControlPlane = undefined;
  await cp.stop({ removeData: process.env.SWITCHBOARD_KEEP_TEST_CLUSTER !== '1' });
}
