// Runs the host tools the node needs (ip, iptables, mount, ctr, crane...)
// without a shell, so arguments are never re-parsed.
import { execFile } from 'node:child_process';

/** A host command that exited non-zero; carries its stderr (and stdout: some tools report errors there). */
export class CommandError extends Error {
  readonly reason = 'CommandFailed';
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly exitCode: number | string,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(`${command} ${args.join(' ')} failed (${exitCode}): ${stderr.trim().slice(0, 2000)}`);
    this.name = 'CommandError';
  }
}

/** Runs a command and resolves with its stdout; rejects with {@link CommandError}. */
export function run(
  command: string,
  args: readonly string[],
  options: {
    readonly timeoutMs?: number;
    readonly env?: Readonly<Record<string, string>>;
    readonly cwd?: string;
  } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      {
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, ...options.env },
        cwd: options.cwd,
      },
      (err, stdout, stderr) => {
        if (err) {
          const code =
            typeof err.code === 'number' || typeof err.code === 'string' ? err.code : (err.signal ?? 'error');
          reject(new CommandError(command, args, code, stderr || err.message, stdout));
        } else resolve(stdout);
      },
    );
  });
}

/** Like {@link run}, but resolves false instead of rejecting: for best-effort clean-up steps. */
export async function tryRun(command: string, args: readonly string[]): Promise<boolean> {
  try {
    await run(command, args, { timeoutMs: 30_000 });
    return true;
  } catch {
    return false;
  }
}
