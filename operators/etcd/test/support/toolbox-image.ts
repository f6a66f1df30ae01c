// The operator image as this checkout builds it, for e2e suites whose Pods
// run the operator's own commands (a seed restored from S3 runs
// `etcd-operator fetch-snapshot`). The image the bootstrap built may predate
// the code under test, so the suite compiles this package and builds the
// image with the image builder, under a tag of its own (the bootstrap's tag is
// left alone), and runs it by digest so a node never uses a stale copy.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildImages, cacheDir, OPERATOR_IMAGES } from '@switchboard/testing';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NAME = 'etcd-operator-e2e-toolbox';
const TAG = 'e2e-toolbox';

/** Compiles the operator, builds its image and returns a digest reference the local node can pull. */
export async function buildToolboxImage(progress: (line: string) => void = () => undefined): Promise<string> {
  const base = OPERATOR_IMAGES.find((i) => i.name === 'etcd-operator');
  const reference = base?.references[0];
  if (!base || !reference) throw new Error('the image catalog has no etcd-operator image');
  execFileSync(
    process.execPath,
    [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: PACKAGE_DIR,
      stdio: 'inherit',
    },
  );
  const repository = reference.slice(0, reference.lastIndexOf(':'));
  const result = await buildImages({
    images: [{ ...base, name: NAME, references: [`${repository}:${TAG}`] }],
    onProgress: progress,
  });
  const skipped = result.skipped.find((s) => s.name === NAME);
  if (skipped) throw new Error(`cannot build the operator image: ${skipped.reason}`);
  const stamp = JSON.parse(readFileSync(join(cacheDir(), 'images', 'stamps', `${NAME}.json`), 'utf8')) as {
    digest?: string;
  };
  if (!stamp.digest?.startsWith('sha256:')) throw new Error(`no digest recorded for image ${NAME}`);
  return `${repository}@${stamp.digest}`;
}
