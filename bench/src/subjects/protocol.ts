// The subject side of the line protocol in ../child.ts, and what every
// subject measures about itself.
import { writeFileSync } from 'node:fs';
import { wallMs } from '../stats.js';

/** Writes one protocol line. */
export function emit(msg: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

/** Resolves when the driver closes our stdin ("your writes are done"). */
export function stdinClosed(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.on('data', () => {});
    process.stdin.on('end', resolve);
    process.stdin.resume();
  });
}

/** Live heap in bytes after two full collections (needs `--expose-gc`). */
export function liveHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run subjects with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Peak resident set size of this process so far, in bytes. */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Keeps "resourceVersion wallMs" lines in memory and writes them once, at the end. */
export class Recorder {
  private readonly lines: string[] = [];

  constructor(private readonly file: string | undefined) {}

  /** Notes that the object at `resourceVersion` was seen now. */
  seen(resourceVersion: string | undefined): void {
    if (this.file !== undefined && resourceVersion !== undefined)
      this.lines.push(`${resourceVersion} ${wallMs().toFixed(3)}`);
  }

  /** Writes the file (when one was named) and returns the number of records. */
  flush(): number {
    if (this.file !== undefined) writeFileSync(this.file, this.lines.join('\n') + '\n');
    return this.lines.length;
  }
}

/** Options every subject gets. */
export interface SubjectOptions {
  kubeconfig: string;
  namespace: string;
  /** Where to write records (watch and reconcile subjects). */
  records?: string;
  /** Reconcile subjects: workers. */
  concurrency?: number;
  /** Reconcile subjects: report after this many reconciles (status: writes); 0 waits for stdin to close. */
  expect?: number;
  /** Sync subjects: `strip` (default), `keep` managedFields, or `metadata` only. */
  variant?: 'strip' | 'keep' | 'metadata';
  /** Status subjects: the value `status.observed` must reach. */
  token?: string;
  /** Raw status subject: how many objects (widget-00000 ...). */
  objects?: number;
  /** Sync subjects: pause before measuring at rest, ms. Default 1000. */
  settleMs?: number;
  /** Queue subject: items. */
  items?: number;
}
