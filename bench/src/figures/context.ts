// What every figure gets from the driver.
import type { RawClient } from '../raw-client.js';
import type { BenchSizes } from '../sizes.js';

export interface FigureContext {
  readonly raw: RawClient;
  readonly kubeconfig: string;
  /** Path of the built controller-runtime subject. */
  readonly goBinary: string;
  readonly sizes: BenchSizes;
  /** Scratch folder for records files. */
  readonly scratch: string;
  /** Bound on one subject process, ms. */
  readonly subjectTimeoutMs: number;
  progress(line: string): void;
  /** Extra figures for the JSON file. */
  detail(name: string, value: unknown): void;
}

export const MiB = 1024 * 1024;

/** Reconciles (or writes) per second from a subject's first start to its last end. */
export function perSecond(result: Record<string, unknown>): number {
  const count = Number(result.count);
  const span = (Number(result.lastMs) - Number(result.firstMs)) / 1000;
  return span > 0 ? count / span : Number.NaN;
}
