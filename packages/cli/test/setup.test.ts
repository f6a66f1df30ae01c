// `switchboard setup` as a project runs it: the build scripts ship in the
// package, each scope names scripts that exist, and a machine without Go is
// told what to install and what to run next, before anything is built.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  buildConcurrency,
  runAtMost,
  setupCommand,
  setupScriptsDir,
  setupSteps,
  versionAtLeast,
} from '../src/commands/setup.js';
import { UsageError } from '../src/output.js';

describe('switchboard setup', () => {
  it('ships its build scripts in the package', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
      files: string[];
    };
    expect(pkg.files).toContain('setup');
    for (const scope of ['control-plane', 'node', 'all'] as const)
      for (const script of setupSteps(scope).scripts)
        expect({ script, exists: existsSync(join(setupScriptsDir(), script)) }).toEqual({
          script,
          exists: true,
        });
    for (const shared of ['lib.sh', 'go-wrapper.sh', 'versions.env'])
      expect(existsSync(join(setupScriptsDir(), shared))).toBe(true);
  });

  it('builds more with each scope, the node without the older etcd line', () => {
    expect(setupSteps('control-plane').scripts).toEqual(['10-kubernetes.sh']);
    expect(setupSteps('node')).toEqual({
      scripts: ['10-kubernetes.sh', '20-etcd.sh', '30-node.sh'],
      etcdVersions: 'newest',
    });
    expect(setupSteps('all').scripts).toHaveLength(6);
    // Helm only lints and installs the charts in the repository's own tests: a demo never builds it.
    expect(setupSteps('all').scripts).toContain('60-helm.sh');
    expect(setupSteps('node').scripts).not.toContain('60-helm.sh');
  });

  it('compares Go versions as numbers', () => {
    expect(versionAtLeast('1.26.8', '1.26')).toBe(true);
    expect(versionAtLeast('1.27', '1.26')).toBe(true);
    expect(versionAtLeast('1.9.3', '1.26')).toBe(false);
    expect(versionAtLeast('1.25.11', '1.26')).toBe(false);
    expect(versionAtLeast('devel', '1.26')).toBe(false);
  });

  it('says what to install and what to run when there is no Go, building nothing', async () => {
    const path = process.env.PATH;
    const prefix = process.env.SWITCHBOARD_CLI_PREFIX;
    process.env.PATH = '/nonexistent';
    delete process.env.SWITCHBOARD_CLI_PREFIX;
    try {
      const err = await setupCommand('node').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toBe(
        "Go >= 1.26 is needed to build the local cluster's binaries (no go on PATH): install it from go.dev/dl, then run `npx switchboard setup` again",
      );
    } finally {
      process.env.PATH = path;
      if (prefix !== undefined) process.env.SWITCHBOARD_CLI_PREFIX = prefix;
    }
  });

  it('runs two build steps at once on two cores or more, one on one core, or as many as asked', () => {
    expect(buildConcurrency({}, 2)).toBe(2);
    expect(buildConcurrency({}, 16)).toBe(2);
    expect(buildConcurrency({}, 1)).toBe(1);
    expect(buildConcurrency({ SWITCHBOARD_BUILD_JOBS: '1' }, 8)).toBe(1);
    expect(buildConcurrency({ SWITCHBOARD_BUILD_JOBS: '3' }, 2)).toBe(3);
    expect(buildConcurrency({ SWITCHBOARD_BUILD_JOBS: 'many' }, 2)).toBe(2);
  });
});

describe('runAtMost (build steps side by side)', () => {
  /** A task per item that waits to be released; records how many run at once. */
  function gate() {
    let running = 0;
    let most = 0;
    const started: string[] = [];
    const release = new Map<string, (fail?: Error) => void>();
    const task = (item: string) =>
      new Promise<string>((resolve, reject) => {
        running++;
        most = Math.max(most, running);
        started.push(item);
        release.set(item, (fail) => {
          running--;
          if (fail) reject(fail);
          else resolve(item.toUpperCase());
        });
      });
    const tick = () => new Promise((r) => setImmediate(r));
    return { task, release, started, tick, most: () => most };
  }

  it('starts them in order, never more than the limit at once, results in item order', async () => {
    const g = gate();
    const done = runAtMost(2, ['k8s', 'etcd', 'node', 'prom'], g.task);
    await g.tick();
    expect(g.started).toEqual(['k8s', 'etcd']);
    g.release.get('etcd')!();
    await g.tick();
    expect(g.started).toEqual(['k8s', 'etcd', 'node']);
    g.release.get('node')!();
    await g.tick();
    g.release.get('prom')!();
    g.release.get('k8s')!();
    await expect(done).resolves.toEqual(['K8S', 'ETCD', 'NODE', 'PROM']);
    expect(g.most()).toBe(2);
  });

  it('starts nothing new after a failure, lets the running one finish, then throws the failure', async () => {
    const g = gate();
    let settled = false;
    const done = runAtMost(2, ['k8s', 'etcd', 'node'], g.task).finally(() => (settled = true));
    await g.tick();
    g.release.get('etcd')!(new Error('build step etcd failed'));
    await g.tick();
    expect(g.started).toEqual(['k8s', 'etcd']);
    expect(settled).toBe(false);
    g.release.get('k8s')!();
    await expect(done).rejects.toThrow('build step etcd failed');
    expect(g.started).toEqual(['k8s', 'etcd']);
  });
});
