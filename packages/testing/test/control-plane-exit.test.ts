// A control plane nobody stopped must not outlive the process that started
// it (a jest global set-up that threw after starting one), unless it was
// started to stay, as `switchboard cluster up` does.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { eventually, isAlive, stopPid } from '../src/index.js';

const dist = join(import.meta.dirname, '..', 'dist', 'index.js');

/** Starts a control plane in a child Node process that then throws, as a broken set-up would; returns its PIDs. */
async function startInChildThatThrows(dir: string, keepRunningAfterExit: boolean): Promise<number[]> {
  const script = `
    import { startControlPlane } from ${JSON.stringify(dist)};
    await startControlPlane({ dir: ${JSON.stringify(dir)}, keepRunningAfterExit: ${keepRunningAfterExit} });
    throw new Error('the set-up failed after starting the control plane');
  `;
  const err = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    timeout: 120_000,
  }).catch((e: unknown) => e);
  expect(String((err as { stderr?: string }).stderr)).toMatch(/the set-up failed after starting/);
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as {
    processes: { name: string; pid: number }[];
  };
  expect(state.processes.map((p) => p.name)).toEqual([
    'etcd',
    'kube-apiserver',
    'kube-controller-manager',
    'kube-scheduler',
  ]);
  return state.processes.map((p) => p.pid);
}

describe('a control plane whose starter exits without stopping it', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchboard-cp-exit-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is killed with the process that started it', async () => {
    const pids = await startInChildThatThrows(dir, false);
    await eventually(() => expect(pids.filter(isAlive)).toEqual([]), { timeout: 10_000 });
  });

  it('keeps running when started to outlive it (cluster up), until stopped by its PIDs', async () => {
    const pids = await startInChildThatThrows(dir, true);
    try {
      expect(pids.filter(isAlive)).toEqual(pids);
    } finally {
      for (const pid of [...pids].reverse()) await stopPid(pid);
    }
  });
});
