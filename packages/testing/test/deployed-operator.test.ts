// deployOperator on the real node: an operator whose image the cluster
// cannot pull is reported as such at once, naming the image, instead of
// waiting out the whole readiness timeout as one more "not Ready".
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  deployOperator,
  EventuallyTimeoutError,
  ImagePullError,
  testKubeConfig,
  testKubeconfigPath,
  whyNoNode,
} from '../src/index.js';

const skipReason = await whyNoNode();
if (skipReason) process.stderr.write(`deployOperator e2e skipped: ${skipReason}\n`);
const describeNode = skipReason ? describe.skip : describe;

const NAMESPACE = `unpullable-${process.pid}`;
const IMAGE = 'switchboard.local/no-such-operator:0.0.0';

describeNode('deployOperator with an image the cluster cannot pull', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-unpullable-'));
    await writeFile(join(dir, 'kustomization.yaml'), 'resources:\n  - operator.yaml\n');
    await writeFile(
      join(dir, 'operator.yaml'),
      `apiVersion: v1
kind: Namespace
metadata: { name: ${NAMESPACE} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: unpullable, namespace: ${NAMESPACE} }
spec:
  replicas: 1
  selector: { matchLabels: { app: unpullable } }
  template:
    metadata: { labels: { app: unpullable } }
    spec:
      containers: [{ name: manager, image: ${IMAGE}, imagePullPolicy: Always }]
`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fails waitReady with an ImagePullError naming the image, not a timeout', async () => {
    const op = await deployOperator(testKubeConfig(), testKubeconfigPath(), {
      kustomization: dir,
      namespace: NAMESPACE,
      deployment: 'unpullable',
      leaseName: 'unused',
    });
    try {
      const err = await op.waitReady(1, 170_000).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(EventuallyTimeoutError);
      expect(err).toBeInstanceOf(ImagePullError);
      expect((err as ImagePullError).failure.image).toBe(IMAGE);
      expect((err as Error).message).toMatch(/cannot be pulled .*switchboard image build/);
    } finally {
      await op.uninstall();
    }
  }, 240_000);
});
