// Managers as real processes (a jest worker cannot be SIGKILLed): leader
// election between two of them on a real Lease, takeover after the leader is
// killed, release on a clean exit, and SIGTERM that lets the reconcile in
// flight finish before the process exits 0.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestNamespace, eventually, testKubeConfig, testKubeconfigPath } from '@switchboard/testing';
import type { TestNamespace } from '@switchboard/testing';
import { Client } from '@switchboard/core';
import type { Lease } from '@switchboard/core';
import type { ConfigMap } from './support/gadget-operator.js';
import {
  CONFIG_MAP,
  Gadget,
  WRITTEN_BY,
  installGadgetCrd,
  removeAllGadgets,
} from './support/gadget-operator.js';

const LEASE_MS = 6_000;
const register = fileURLToPath(new URL('./support/ts-register.mjs', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/gadget-manager.ts', import.meta.url));

interface LogLine {
  msg: string;
  key?: string;
  reconcileID?: string;
  [field: string]: unknown;
}

/** A manager child process and what it logged. */
class ManagerProcess {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private stderr = '';

  constructor(identity: string, namespace: string, lease: string, extraEnv: Record<string, string> = {}) {
    this.child = spawn(process.execPath, ['--import', register, fixture], {
      env: {
        ...process.env,
        // The test reads the manager's info lines (jest.config.js sets warn for the rest).
        LOG_LEVEL: 'info',
        SB_KUBECONFIG: testKubeconfigPath(),
        SB_NAMESPACE: namespace,
        SB_IDENTITY: identity,
        SB_LEASE: lease,
        SB_LEASE_MS: String(LEASE_MS),
        SB_RENEW_MS: '4000',
        SB_RETRY_MS: '1000',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const p of parts) if (p.trim() !== '') this.lines.push(JSON.parse(p) as LogLine);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  logged(msg: string, key?: string): LogLine[] {
    return this.lines.filter((l) => l.msg === msg && (key === undefined || l.key === key));
  }

  /** For failure messages: the tail of what the process said. */
  describe(): string {
    return `${this.lines
      .slice(-15)
      .map((l) => JSON.stringify(l))
      .join('\n')}\n${this.stderr.slice(-2000)}`;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

let client: Client;
let ns: TestNamespace;
const started: ManagerProcess[] = [];

function startManager(identity: string, lease: string, env: Record<string, string> = {}): ManagerProcess {
  const p = new ManagerProcess(identity, ns.name, lease, env);
  started.push(p);
  return p;
}

beforeAll(async () => {
  const kc = testKubeConfig();
  client = Client.fromKubeConfig(kc, { fieldManager: 'manager-process-test' });
  ns = await createTestNamespace(kc, 'core-manager');
  await installGadgetCrd(client);
});

afterAll(async () => {
  for (const p of started) p.kill('SIGKILL');
  await Promise.all(started.map((p) => p.exited));
  if (ns !== undefined) await removeAllGadgets(client, ns.name);
  await ns?.delete();
  client?.close();
});

const leases = () => client.resource<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' });
const holder = async (lease: string): Promise<string | null | undefined> =>
  (await leases().get({ namespace: ns.name, name: lease })).spec?.holderIdentity;

async function createGadget(name: string, message: string): Promise<void> {
  await Gadget.client(client).create({
    apiVersion: Gadget.apiVersion,
    kind: Gadget.kind,
    metadata: { name, namespace: ns.name },
    spec: { message },
  });
}

async function writer(name: string): Promise<string | undefined> {
  const cm = await client.resource<ConfigMap>(CONFIG_MAP).get({ namespace: ns.name, name: `${name}-config` });
  return cm.metadata.annotations?.[WRITTEN_BY];
}

describe('managers as processes', () => {
  it('elects one leader of two, fails over within the lease duration when it is killed, and releases on SIGTERM', async () => {
    const lease = 'failover';
    const a = startManager('a', lease);
    await eventually(async () => expect(await holder(lease)).toBe('a'), {
      timeout: 60_000,
      message: 'a leads',
    }).catch((err: unknown) => Promise.reject(new Error(`${String(err)}\n${a.describe()}`)));
    const b = startManager('b', lease);
    await eventually(() => expect(b.logged('waiting for leadership')).toHaveLength(1), { timeout: 60_000 });

    await createGadget('one', 'first');
    await eventually(async () => expect(await writer('one')).toBe('a'), { message: 'a reconciles' });
    expect(b.logged('reconcile-start')).toHaveLength(0);

    a.kill('SIGKILL');
    await a.exited;
    await createGadget('two', 'second');
    // Takeover bound: the lease must expire (LEASE_MS) plus a retry period and the reconcile itself.
    await eventually(async () => expect(await writer('two')).toBe('b'), {
      timeout: LEASE_MS + 10_000,
      message: 'b took over and reconciled',
    }).catch((err: unknown) => Promise.reject(new Error(`${String(err)}\n${b.describe()}`)));
    expect(await holder(lease)).toBe('b');

    b.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(await holder(lease)).toBeFalsy(); // released: a successor need not wait for expiry
  });

  it('exits 0 on SIGTERM after the reconcile in flight has finished', async () => {
    const c = startManager('c', 'graceful', { SB_SLOW_MS: '3000' });
    await eventually(() => expect(c.logged('manager started')).toHaveLength(1), {
      timeout: 60_000,
      message: 'c started',
    }).catch((err: unknown) => Promise.reject(new Error(`${String(err)}\n${c.describe()}`)));
    await createGadget('slow', 'patience');
    const key = `${ns.name}/slow`;
    const [start] = await eventually(() => {
      const found = c.logged('reconcile-start', key);
      expect(found.length).toBeGreaterThan(0);
      return found;
    });
    expect(c.logged('reconcile-end', key)).toHaveLength(0); // the signal lands mid-reconcile
    c.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    const end = c.logged('reconcile-end', key).find((l) => l.reconcileID === start!.reconcileID);
    expect(end).toBeDefined();
    expect(c.logged('exited cleanly')).toHaveLength(1);
    expect(await writer('slow')).toBe('c'); // the write the reconcile was making landed
    await expect(holder('graceful')).resolves.toBeFalsy();
  });
});
