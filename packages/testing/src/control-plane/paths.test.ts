import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ASSETS_ENV, findBinary, MissingBinaryError } from './paths.js';

describe('findBinary', () => {
  let dir: string;
  const saved = { assets: process.env[ASSETS_ENV], prefix: process.env.SWITCHBOARD_CLI_PREFIX };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-assets-'));
    delete process.env[ASSETS_ENV];
    delete process.env.SWITCHBOARD_CLI_PREFIX;
  });
  afterEach(async () => {
    for (const [key, value] of [
      [ASSETS_ENV, saved.assets],
      ['SWITCHBOARD_CLI_PREFIX', saved.prefix],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await rm(dir, { recursive: true, force: true });
  });
  const binary = async (path: string): Promise<string> => {
    await writeFile(path, '#!/bin/sh\n');
    await chmod(path, 0o755);
    return path;
  };

  it('takes the assets folder first, as envtest takes KUBEBUILDER_ASSETS', async () => {
    const inAssets = await binary(join(dir, 'kube-apiserver'));
    const inCache = await binary(join(dir, 'cached-kube-apiserver'));
    process.env[ASSETS_ENV] = dir;
    expect(findBinary('kube-apiserver', inCache)).toBe(inAssets);
  });

  it('falls back to the cache when the assets folder lacks it', async () => {
    const inCache = await binary(join(dir, 'cached-kubelet'));
    process.env[ASSETS_ENV] = join(dir, 'empty');
    expect(findBinary('kubelet', inCache)).toBe(inCache);
  });

  it('names both places and the command that builds it, never a script of this repository', () => {
    process.env[ASSETS_ENV] = join(dir, 'empty');
    const err = (() => {
      try {
        return findBinary('kubelet', join(dir, 'cache', 'kubelet'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MissingBinaryError);
    const message = (err as Error).message;
    expect(message).toContain(`kubelet not found at ${join(dir, 'cache', 'kubelet')} nor in ${ASSETS_ENV}`);
    expect(message).toContain('build it with `npx switchboard setup --node`');
    expect(message).not.toMatch(/npm run bootstrap/);
  });
});
