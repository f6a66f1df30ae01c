import { operatorMain, operatorUsage, OperatorUsageError, parseOperatorArgs } from './operator-main.js';
import type { OperatorMainSpec } from './operator-main.js';

const flags = {
  'member-address': {
    type: 'string',
    value: 'MODE',
    default: 'auto',
    choices: ['auto', 'dns', 'pod-ip'],
    usage: 'how members are reached',
  },
  image: { type: 'string', value: 'IMAGE', usage: 'image of the Pods' },
  'dry-run': { type: 'boolean', usage: 'change nothing' },
} as const;

const spec: OperatorMainSpec<typeof flags> = {
  name: 'widget-operator',
  description: 'runs the Widget controller',
  flags,
  commands: { crd: { usage: 'print the CRDs', run: () => 3 } },
  setup: () => undefined,
};

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
    },
  };
}

describe('parseOperatorArgs', () => {
  it('gives the manager options controller-runtime flags describe, and typed operator flags', () => {
    const parsed = parseOperatorArgs(spec, [
      '--namespace=team-a',
      '--leader-elect',
      '--leader-election-namespace',
      'ops',
      '--metrics-bind-address=0',
      '--kubeconfig',
      '/tmp/kc',
      '--member-address=dns',
      '--dry-run',
    ]);
    expect(parsed).toEqual({
      kind: 'run',
      kubeconfig: '/tmp/kc',
      manager: {
        namespace: 'team-a',
        leaderElection: { leaseName: 'widget-operator-leader', namespace: 'ops' },
        metricsBindAddress: '0',
        healthProbeBindAddress: ':8081',
      },
      flags: { 'member-address': 'dns', image: undefined, 'dry-run': true },
    });
  });

  it('defaults to all namespaces, no leader election and the standard ports', () => {
    const parsed = parseOperatorArgs(spec, []);
    expect(parsed).toMatchObject({
      kind: 'run',
      manager: { leaderElection: false, metricsBindAddress: ':8080', healthProbeBindAddress: ':8081' },
      flags: { 'member-address': 'auto', 'dry-run': false },
    });
    expect(parsed.kind === 'run' && 'namespace' in parsed.manager).toBe(false);
  });

  it('refuses a value outside the choices, naming the flag and what it accepts', () => {
    expect(parseOperatorArgs(spec, ['--member-address=ip'])).toMatchObject({
      kind: 'usage-error',
      message: '--member-address: expected auto, dns or pod-ip, got ip',
    });
  });

  it('refuses unknown flags and commands, and extra arguments to a command', () => {
    expect(parseOperatorArgs(spec, ['--nope'])).toMatchObject({
      kind: 'usage-error',
      message: expect.stringContaining("'--nope'"),
    });
    expect(parseOperatorArgs(spec, ['deploy'])).toMatchObject({
      kind: 'usage-error',
      message: 'unknown command deploy',
    });
    expect(parseOperatorArgs(spec, ['crd', 'x'])).toMatchObject({
      kind: 'usage-error',
      message: 'crd takes no arguments, got x',
    });
  });

  it('recognizes --help, -h and commands', () => {
    expect(parseOperatorArgs(spec, ['-h']).kind).toBe('help');
    expect(parseOperatorArgs(spec, ['--namespace=x', '--help']).kind).toBe('help');
    expect(parseOperatorArgs(spec, ['crd'])).toEqual({ kind: 'command', name: 'crd' });
  });
});

describe('operatorUsage', () => {
  it('lists the standard flags, the operator flags and the commands in one aligned column', () => {
    const text = operatorUsage(spec);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'widget-operator: runs the Widget controller',
      '',
      'usage: widget-operator [flags] | widget-operator crd',
    ]);
    const lines = text.split('\n');
    const starts = [
      'kubeconfig (default',
      'watch one namespace',
      'how members are reached',
      'print this help',
      'print the CRDs',
    ].map((usage) => lines.find((l) => l.includes(usage))!.indexOf(usage));
    expect(new Set(starts).size).toBe(1);
    for (const flag of [
      '--kubeconfig PATH',
      '--namespace NS',
      '--leader-elect',
      '--member-address MODE',
      '--dry-run',
      'crd',
    ])
      expect(text).toContain(`  ${flag} `);
  });
});

describe('operatorMain', () => {
  it('prints help on stdout and exits 0', async () => {
    const { out, io } = capture();
    await expect(operatorMain(spec, ['--help'], io)).resolves.toBe(0);
    expect(out.stdout).toBe(`${operatorUsage(spec)}\n`);
  });

  it('runs a command and exits with its code', async () => {
    const { io } = capture();
    await expect(operatorMain(spec, ['crd'], io)).resolves.toBe(3);
  });

  it('exits 2 on a usage error with the message and the usage on stderr', async () => {
    const { out, io } = capture();
    await expect(operatorMain(spec, ['--member-address=x'], io)).resolves.toBe(2);
    expect(out.stderr).toBe(
      `widget-operator: --member-address: expected auto, dns or pod-ip, got x\n\n${operatorUsage(spec)}\n`,
    );
  });

  it('exits 2 when setup refuses the flags together, 1 with one line (no stack) when it fails', async () => {
    const usage = capture();
    const refusing = {
      ...spec,
      setup: () => {
        throw new OperatorUsageError('--image is required with --dry-run');
      },
    };
    await expect(operatorMain(refusing, ['--kubeconfig', kubeconfigFixture()], usage.io)).resolves.toBe(2);
    expect(usage.out.stderr.split('\n')[0]).toBe('widget-operator: --image is required with --dry-run');

    const failing = capture();
    const broken = {
      ...spec,
      setup: () => {
        throw new Error('no CRD');
      },
    };
    await expect(operatorMain(broken, ['--kubeconfig', kubeconfigFixture()], failing.io)).resolves.toBe(1);
    expect(failing.out.stderr).toBe('widget-operator: no CRD\n');
  });
});

// A kubeconfig file that points nowhere: setup runs before anything connects.
function kubeconfigFixture(): string {
  return new URL('../../test/fixtures/unreachable.kubeconfig', import.meta.url).pathname;
}
