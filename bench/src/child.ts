// One measured subject in a process of its own, so that one subject's heap,
// threads and sockets never show up in another's figures. Node and Go
// subjects speak the same line protocol on stdout:
//   {"event":"ready"}            caches synced, the driver may start writing
//   {"event":"result", ...}      the figures; the process then exits
// The driver closes the child's stdin to say "your writes are done".
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What a subject reports; numbers by name. */
export type SubjectResult = Record<string, number | string | boolean>;

/** A running subject process. */
export interface Subject {
  /** Resolves on `{"event":"ready"}`. */
  ready(): Promise<void>;
  /** Resolves with the result line (closes stdin first when `finish` is true). */
  result(opts?: { finish?: boolean }): Promise<SubjectResult>;
  /** Kills the process if it is still running. */
  kill(): void;
}

/** Spawns `command args`, waiting at most `timeoutMs` for the whole run. */
export function spawnSubject(
  label: string,
  command: string,
  args: readonly string[],
  timeoutMs: number,
): Subject {
  const child: ChildProcess = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr.push(s);
    if (stderr.length > 50) stderr.shift();
  });
  const fail = (why: string): Error =>
    new Error(`${label}: ${why}\n--- stderr tail ---\n${stderr.join('').slice(-3000)}`);

  let onReady!: () => void;
  let onResult!: (r: SubjectResult) => void;
  let onFail!: (e: Error) => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const done = new Promise<SubjectResult>((resolve, reject) => {
    onResult = resolve;
    onFail = reject;
  });
  const readyOrFail = Promise.race([ready, done.then(() => undefined)]);
  done.catch(() => {});
  readyOrFail.catch(() => {});

  const timer = setTimeout(() => {
    onFail(fail(`no result after ${timeoutMs} ms`));
    child.kill('SIGKILL');
  }, timeoutMs);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const msg = JSON.parse(line) as SubjectResult;
    if (msg.event === 'ready') onReady();
    if (msg.event === 'result') onResult(msg);
  });
  child.on('exit', (code, sig) => {
    clearTimeout(timer);
    onFail(fail(`exited (code ${code}, signal ${sig}) before its result`));
  });
  child.on('error', (err) => onFail(fail(err.message)));
  child.stdin?.on('error', () => {}); // a child that exits first closes the pipe

  return {
    ready: () => readyOrFail,
    async result(opts = {}) {
      if (opts.finish) child.stdin?.end();
      return done;
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The Node subject entry point (compiled beside this file). */
const NODE_SUBJECT = fileURLToPath(new URL('./subjects/main.js', import.meta.url));

/**
 * Spawns a Node subject in `mode` with its options. `--expose-gc` lets it
 * measure live heap. With SWITCHBOARD_BENCH_CPU_PROF set to a folder, every
 * Node subject writes a V8 CPU profile there (`node --cpu-prof`), named by mode.
 */
export function spawnNodeSubject(mode: string, options: object, timeoutMs: number): Subject {
  const profDir = process.env.SWITCHBOARD_BENCH_CPU_PROF;
  const prof = profDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=${mode}-${Date.now()}.cpuprofile`]
    : [];
  return spawnSubject(
    `node subject ${mode}`,
    process.execPath,
    ['--expose-gc', ...prof, NODE_SUBJECT, mode, JSON.stringify(options)],
    timeoutMs,
  );
}

/** Spawns the controller-runtime program in `mode`. */
export function spawnGoSubject(
  binary: string,
  mode: string,
  flags: Record<string, string | number | boolean>,
  timeoutMs: number,
): Subject {
  const args = [`-mode=${mode}`, ...Object.entries(flags).map(([k, v]) => `-${k}=${String(v)}`)];
  return spawnSubject(`controller-runtime ${mode}`, binary, args, timeoutMs);
}
