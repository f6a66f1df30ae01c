// A server process the local cluster started: spawned directly (never through
// a shell, so the PID we hold is the server's), its output appended to a log
// file, and stopped by that PID with a bounded grace period.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** How to start one component. */
export interface ProcessSpec {
  /** Short name used in messages, e.g. `kube-apiserver`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** A running (or exited) component. */
export interface ManagedProcess {
  readonly spec: ProcessSpec;
  readonly pid: number;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** True once the process has ended. */
  hasExited(): boolean;
}

/**
 * Starts a component detached from our process group, so it survives the
 * command that started it (`switchboard cluster up`) and a Ctrl-C in the
 * terminal does not reach it.
 */
export function startProcess(spec: ProcessSpec): ManagedProcess {
  const fd = openSync(spec.logFile, 'a');
  let done = false;
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
    child.unref();
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => {
        done = true;
        resolve(code ?? signal ?? 'unknown');
      });
      child.once('error', () => {
        done = true;
        resolve('spawn-error');
      });
    });
    return { spec, pid: child.pid, exited, hasExited: () => done };
  } finally {
    closeSync(fd);
  }
}

/** True while a process with this PID exists (and is not a zombie we reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Stops a process by PID: SIGTERM, then SIGKILL after `graceMs`. Resolves
 * once it is gone. Never signals anything but the given PID.
 */
export async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The last `lines` lines of a component's log, for error messages. */
export function logTail(logFile: string, lines = 20): string {
  try {
    const text = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
