// A process whose manager has stopped must be able to exit by itself: once
// Manager.start(signal) returns after the abort, nothing it opened (its own
// client's keep-alive and watch connections, leader election's timers, the
// /metrics and probe servers, the process metrics' collectors) may keep the
// event loop alive. The fixture never calls process.exit after a clean stop.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestNamespace, eventually, testKubeConfig, testKubeconfigPath } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';
import { Client } from '@switchboard/core';
import type { ConfigMap } from './support/gadget-operator.js';
import {
  CONFIG_MAP,
  Gadget,
  WRITTEN_BY,
  installGadgetCrd,
  removeAllGadgets,
} from './support/gadget-operator.js';

const register = fileURLToPath(new URL('./support/ts-register.mjs', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/exit-manager.ts', import.meta.url));

let client: Client;
let ns: TestNamespace;

beforeAll(async () => {
  const kc = testKubeConfig();
  client = Client.fromKubeConfig(kc, { fieldManager: 'manager-exit-test' });
  ns = await createTestNamespace(kc, 'core-manager-exit');
  await installGadgetCrd(client);
});

afterAll(async () => {
  if (ns !== undefined) await removeAllGadgets(client, ns.name);
  await ns?.delete();
  client?.close();
});

it('exits by itself once start() returned after SIGTERM, having reconciled through its own client', async () => {
  const child = spawn(process.execPath, ['--import', register, fixture], {
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      KUBECONFIG: testKubeconfigPath(),
      SB_NAMESPACE: ns.name,
      SB_IDENTITY: 'exit',
      SB_LEASE: 'exit',
      SB_EXIT_WITHIN_MS: '15000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const describe = (): string => `${out.split('\n').slice(-15).join('\n')}\n${err.slice(-2000)}`;
  try {
    await Gadget.client(client).create({
      apiVersion: Gadget.apiVersion,
      kind: Gadget.kind,
      metadata: { name: 'one', namespace: ns.name },
      spec: { message: 'hello' },
    });
    // The reconcile wrote through the manager's client: its pooled connections are in use.
    await eventually(
      async () => {
        const cm = await client
          .resource<ConfigMap>(CONFIG_MAP)
          .get({ namespace: ns.name, name: 'one-config' });
        expect(cm.metadata.annotations?.[WRITTEN_BY]).toBe('exit');
      },
      { timeout: 60_000, message: 'the manager reconciles' },
    ).catch((e: unknown) => Promise.reject(new Error(`${String(e)}\n${describe()}`)));

    const stopped = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    process.stderr.write(`manager process: SIGTERM to exit ${Date.now() - stopped} ms\n`);
    if (code !== 0) throw new Error(`exit code ${String(code)}:\n${describe()}`);
    expect(out).toContain('"start returned"');
    expect(out).not.toContain('still running after start returned');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
