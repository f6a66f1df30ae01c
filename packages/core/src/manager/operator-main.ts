// The command line every operator binary shares: controller-runtime's flags
// (--kubeconfig, --namespace, --leader-elect, --metrics-bind-address, ...),
// the operator's own flags, a few subcommands (print the CRDs, say), --help
// with aligned usage, and exit codes people and scripts can rely on: 0 after a
// clean shutdown, 1 on failure (one line, no stack, unless LOG_LEVEL=debug),
// 2 on a usage error. Parsing is a pure function ({@link parseOperatorArgs}),
// so every rule is tested without starting anything.
import { parseArgs } from 'node:util';

import { KubeConfig } from '@kubernetes/client-node';

import { Client } from '../client/index.js';
import type { ManagerOptions } from './manager.js';
import { Manager } from './manager.js';
import { shutdownSignal } from './signals.js';

/** One operator-specific flag. */
export type OperatorFlag =
  | {
      type: 'string';
      /** What the flag does, shown by --help. */
      usage: string;
      /** Placeholder for the value in --help, e.g. `IMAGE` (default `VALUE`). */
      value?: string;
      default?: string;
      /** The accepted values; anything else is a usage error naming them. */
      choices?: readonly string[];
    }
  | { type: 'boolean'; usage: string; default?: boolean };

/** Values of an operator's own flags, typed from their declarations. */
export type OperatorFlagValues<F extends Record<string, OperatorFlag>> = {
  [K in keyof F]: F[K] extends { type: 'boolean' }
    ? boolean
    : F[K] extends { default: string }
      ? string
      : string | undefined;
};

/** A subcommand of an operator binary, e.g. `crd`. */
export interface OperatorCommand {
  /** What it does, shown by --help. */
  usage: string;
  /** Runs it; returns the exit code, or nothing for 0. */
  run: () => number | void | Promise<number | void>;
}

/** What an operator binary is: its name, flags, subcommands and controllers. */
export interface OperatorMainSpec<F extends Record<string, OperatorFlag> = Record<string, never>> {
  /** The binary's name, e.g. `etcd-operator`; also names the Lease (`<name>-leader`). */
  name: string;
  /** Default field manager of the client's writes (default the client's, `switchboard`). */
  fieldManager?: string;
  /** One line saying what it runs, first in --help. */
  description: string;
  /** Flags beyond the standard ones. */
  flags?: F;
  /** Subcommands that print or check something and exit, e.g. `crd`. Return an exit code or nothing for 0. */
  commands?: Record<string, OperatorCommand>;
  /**
   * Adds the controllers to the manager. Throw {@link OperatorUsageError} for
   * flag values that are wrong together (exit 2 with the usage).
   */
  setup: (manager: Manager, flags: OperatorFlagValues<F>) => void | Promise<void>;
}

/** A command line the operator cannot run: exits 2 with the message and the usage. */
export class OperatorUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperatorUsageError';
  }
}

/** The outcome of parsing a command line. */
export type ParsedOperatorArgs<F extends Record<string, OperatorFlag>> =
  | { kind: 'help'; text: string }
  | { kind: 'command'; name: string }
  | { kind: 'usage-error'; message: string; text: string }
  | {
      kind: 'run';
      /** The manager's options from the standard flags (the client is made from `kubeconfig`). */
      manager: Omit<ManagerOptions, 'client'>;
      /** `--kubeconfig`, when given. */
      kubeconfig?: string;
      flags: OperatorFlagValues<F>;
    };

const STANDARD_FLAGS = {
  kubeconfig: {
    type: 'string',
    value: 'PATH',
    usage: 'kubeconfig (default $KUBECONFIG, ~/.kube/config or in-cluster)',
  },
  namespace: { type: 'string', value: 'NS', usage: 'watch one namespace (default all)' },
  'leader-elect': { type: 'boolean', usage: 'run only while holding the Lease' },
  'leader-election-namespace': {
    type: 'string',
    value: 'NS',
    usage: 'namespace of the Lease (default --namespace or "default")',
  },
  'metrics-bind-address': {
    type: 'string',
    value: 'ADDR',
    default: ':8080',
    usage: '/metrics address (default :8080, "0" disables)',
  },
  'health-probe-bind-address': {
    type: 'string',
    value: 'ADDR',
    default: ':8081',
    usage: '/healthz and /readyz address (default :8081, "0" disables)',
  },
} as const satisfies Record<string, OperatorFlag>;

/** The --help text: the standard flags, then the operator's own, aligned. */
export function operatorUsage<F extends Record<string, OperatorFlag>>(spec: OperatorMainSpec<F>): string {
  const commands = Object.entries(spec.commands ?? {});
  const rows: [string, string][] = [];
  for (const [name, flag] of Object.entries({ ...STANDARD_FLAGS, ...spec.flags } as Record<
    string,
    OperatorFlag
  >)) {
    const value = flag.type === 'string' ? ` ${flag.value ?? 'VALUE'}` : '';
    rows.push([`--${name}${value}`, flag.usage]);
  }
  rows.push(['-h, --help', 'print this help']);
  const width = Math.max(...rows.map(([left]) => left.length), ...commands.map(([n]) => n.length)) + 2;
  const line = ([left, right]: [string, string]) => `  ${left.padEnd(width)}${right}`;
  return [
    `${spec.name}: ${spec.description}`,
    '',
    `usage: ${spec.name} [flags]${commands.map(([n]) => ` | ${spec.name} ${n}`).join('')}`,
    '',
    'flags:',
    ...rows.map(line),
    ...(commands.length > 0 ? ['', 'commands:', ...commands.map(([n, c]) => line([n, c.usage]))] : []),
  ].join('\n');
}

/** Parses a command line against the standard flags and the operator's own; starts nothing. */
export function parseOperatorArgs<F extends Record<string, OperatorFlag>>(
  spec: OperatorMainSpec<F>,
  argv: readonly string[],
): ParsedOperatorArgs<F> {
  const text = operatorUsage(spec);
  const declared = { ...STANDARD_FLAGS, ...spec.flags } as Record<string, OperatorFlag>;
  const options = Object.fromEntries(
    Object.entries(declared).map(([name, f]) => [
      name,
      f.type === 'boolean'
        ? { type: 'boolean' as const, default: f.default ?? false }
        : { type: 'string' as const, ...(f.default !== undefined ? { default: f.default } : {}) },
    ]),
  );
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (err) {
    // node:util's messages already name the flag ("Unknown option '--x'", "Option '--namespace <value>' argument missing").
    return { kind: 'usage-error', message: err instanceof Error ? err.message : String(err), text };
  }
  const { values, positionals } = parsed;
  if (values['help'] === true) return { kind: 'help', text };
  const [command, ...rest] = positionals;
  if (command !== undefined) {
    if (!(command in (spec.commands ?? {})))
      return { kind: 'usage-error', message: `unknown command ${command}`, text };
    if (rest.length > 0)
      return { kind: 'usage-error', message: `${command} takes no arguments, got ${rest.join(' ')}`, text };
    return { kind: 'command', name: command };
  }
  for (const [name, flag] of Object.entries(declared)) {
    const v = values[name];
    if (flag.type === 'string' && flag.choices && typeof v === 'string' && !flag.choices.includes(v)) {
      return { kind: 'usage-error', message: `--${name}: expected ${orList(flag.choices)}, got ${v}`, text };
    }
  }
  const str = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const namespace = str('namespace');
  const leNamespace = str('leader-election-namespace');
  const kubeconfig = str('kubeconfig');
  const own = Object.fromEntries(
    Object.keys(spec.flags ?? {}).map((k) => [k, values[k]]),
  ) as OperatorFlagValues<F>;
  return {
    kind: 'run',
    manager: {
      ...(namespace !== undefined ? { namespace } : {}),
      leaderElection:
        values['leader-elect'] === true
          ? {
              leaseName: `${spec.name}-leader`,
              ...(leNamespace !== undefined ? { namespace: leNamespace } : {}),
            }
          : false,
      metricsBindAddress: str('metrics-bind-address') ?? ':8080',
      healthProbeBindAddress: str('health-probe-bind-address') ?? ':8081',
    },
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    flags: own,
  };
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/**
 * Runs an operator binary: parses `argv`, runs a subcommand or builds a
 * {@link Manager} from the flags, adds the controllers and runs until SIGTERM
 * or SIGINT. Resolves with the exit code; it never calls `process.exit`
 * itself. Failures print one line (`<name>: <message>`), with the stack only
 * when `LOG_LEVEL=debug`.
 *
 * @example
 * ```ts
 * process.exitCode = await operatorMain({
 *   name: 'widget-operator',
 *   description: 'runs the Widget controller',
 *   flags: { 'widget-image': { type: 'string', value: 'IMAGE', default: 'widget:1', usage: 'image of widget Pods' } },
 *   setup: (manager, flags) => addWidgetController(manager, { image: flags['widget-image'] }),
 * });
 * ```
 */
export async function operatorMain<F extends Record<string, OperatorFlag>>(
  spec: OperatorMainSpec<F>,
  argv: readonly string[] = process.argv.slice(2),
  io: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } } = process,
): Promise<number> {
  const parsed = parseOperatorArgs(spec, argv);
  const usageError = (message: string) => {
    io.stderr.write(`${spec.name}: ${message}\n\n${operatorUsage(spec)}\n`);
    return 2;
  };
  try {
    switch (parsed.kind) {
      case 'help':
        io.stdout.write(`${parsed.text}\n`);
        return 0;
      case 'usage-error':
        return usageError(parsed.message);
      case 'command':
        return (await spec.commands![parsed.name]!.run()) ?? 0;
      case 'run': {
        const clientOptions = spec.fieldManager !== undefined ? { fieldManager: spec.fieldManager } : {};
        let client: Client;
        if (parsed.kubeconfig !== undefined) {
          const kc = new KubeConfig();
          try {
            kc.loadFromFile(parsed.kubeconfig);
          } catch (err) {
            throw new Error(
              `--kubeconfig ${parsed.kubeconfig}: ${err instanceof Error ? err.message : String(err)}`,
              {
                cause: err,
              },
            );
          }
          client = Client.fromKubeConfig(kc, clientOptions);
        } else {
          client = Client.fromDefault(clientOptions);
        }
        const manager = new Manager({ ...parsed.manager, client });
        await spec.setup(manager, parsed.flags);
        await manager.start(shutdownSignal());
        return 0;
      }
    }
  } catch (err) {
    if (err instanceof OperatorUsageError) return usageError(err.message);
    const debug = process.env['LOG_LEVEL'] === 'debug';
    const text = err instanceof Error ? (debug ? (err.stack ?? err.message) : err.message) : String(err);
    io.stderr.write(`${spec.name}: ${text}\n`);
    return 1;
  }
}
