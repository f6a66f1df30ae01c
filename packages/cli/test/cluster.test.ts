import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { jest } from '@jest/globals';
import { isAlive, readControlPlaneState } from '@switchboard/testing';
import type { ControlPlaneState } from '@switchboard/testing';

import { clusterCommand, clusterDir, localKubeconfig } from '../src/commands/cluster.js';

// Hints name `npx switchboard` unless this repository's scripts set a
// prefix (npm test does): these tests read them as a project would.
const cliPrefix = process.env.SWITCHBOARD_CLI_PREFIX;
beforeAll(() => {
  delete process.env.SWITCHBOARD_CLI_PREFIX;
});
afterAll(() => {
  if (cliPrefix !== undefined) process.env.SWITCHBOARD_CLI_PREFIX = cliPrefix;
});

describe('switchboard cluster', () => {
  const stateHome = mkdtempSync(join(tmpdir(), 'cli-state-'));
  const previous = process.env.XDG_STATE_HOME;
  let output = '';

  beforeAll(() => {
    process.env.XDG_STATE_HOME = stateHome;
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      output += String(chunk);
      return true;
    });
  });
  afterAll(async () => {
    for (const name of ['one', 'two']) await clusterCommand(['down'], { name }).catch(() => undefined);
    jest.restoreAllMocks();
    process.env.XDG_STATE_HOME = previous;
    rmSync(stateHome, { recursive: true, force: true });
  });

  it('runs two clusters side by side, and down stops every process it started', async () => {
    await Promise.all([
      clusterCommand(['up'], { name: 'one', nodes: 0 }),
      clusterCommand(['up'], { name: 'two', nodes: 0 }),
    ]);
    expect(output).toContain(`export KUBECONFIG=${join(clusterDir('one'), 'admin.kubeconfig')}`);
    const states = (await Promise.all(
      ['one', 'two'].map((n) => readControlPlaneState(clusterDir(n))),
    )) as ControlPlaneState[];
    expect(states[0]?.ports.apiServer).not.toBe(states[1]?.ports.apiServer);
    const pids = states.flatMap((s) => s.processes.map((p) => p.pid));
    expect(pids).toHaveLength(8);
    expect(pids.every(isAlive)).toBe(true);
    expect(await localKubeconfig('one')).toBe(states[0]?.kubeconfigPath);

    output = '';
    await clusterCommand(['status'], { name: 'one' });
    expect(output).toMatch(/kube-apiserver\s+running/);

    await clusterCommand(['down'], { name: 'one' });
    await clusterCommand(['down'], { name: 'two' });
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await readControlPlaneState(clusterDir('one'))).toBeUndefined();
    expect(await localKubeconfig('one')).toBeUndefined();
  });

  it('says how to start a cluster when none is up, as a project runs the CLI (npx)', async () => {
    output = '';
    await clusterCommand(['status'], { name: 'absent' });
    expect(output).toContain('start it with: npx switchboard cluster up --name absent');
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
  });

  it('names the npm script instead where the command prefix says so (this repository)', async () => {
    output = '';
    process.env.SWITCHBOARD_CLI_PREFIX = 'npm run switchboard --';
    try {
      await clusterCommand(['status'], { name: 'absent' });
    } finally {
      delete process.env.SWITCHBOARD_CLI_PREFIX;
      process.exitCode = 0;
    }
    expect(output).toContain('start it with: npm run switchboard -- cluster up --name absent');
  });

  it('rejects an unknown verb with the usage', async () => {
    await expect(clusterCommand(['sideways'], { name: 'x' })).rejects.toThrow(
      /unknown cluster command "sideways"[\s\S]*Usage/,
    );
  });
});

describe('switchboard cluster images', () => {
  it('lists the image references the local cluster offers, one a line', async () => {
    let output = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      output += String(chunk);
      return true;
    });
    try {
      await clusterCommand(['images'], { name: 'default' });
    } finally {
      jest.restoreAllMocks();
    }
    const refs = output.trim().split('\n');
    expect(refs).toContain('quay.io/coreos/etcd:v3.6.16');
    expect(refs.every((r) => /^[a-z0-9.-]+(:\d+)?\/[^\s]+:[^\s]+$/.test(r))).toBe(true);
  });

  it('refuses a node count it cannot run, naming the flag', async () => {
    await expect(clusterCommand(['up'], { name: 'x', nodes: -1 })).rejects.toThrow(
      /--nodes: expected a whole number from 0 to 8, got -1/,
    );
  });
});
