// `switchboard setup` as a project runs it: the build scripts ship in the
// package, each scope names scripts that exist, and a machine without Go is
// told what to install and what to run next, before anything is built.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { setupCommand, setupScriptsDir, setupSteps, versionAtLeast } from '../src/commands/setup.js';
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
});
