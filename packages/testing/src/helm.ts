// Helm, built from its Go module (helm.sh/helm/v4) by the setup step
// 60-helm.sh of `switchboard setup --all`, for suites that lint, render and
// install the operators' charts. By default Helm keeps its repositories,
// registry logins and caches under the user's home; every call here points
// them at a folder of its own instead, so a test never reads nor changes the
// person's Helm setup.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

import { cacheDir, findBinary, MissingBinaryError } from './control-plane/paths.js';
import type { RenderedObject } from './deployed-operator.js';
import { run } from './node/command.js';

/** The Helm release packages/cli/setup/60-helm.sh builds. */
export const HELM_VERSION = '4.3.2';

/** Path of `helm`; throws {@link MissingBinaryError} (naming `setup --all`) when it was not built. */
export function helmBinary(): string {
  return findBinary('helm', join(cacheDir(), 'helm', `v${HELM_VERSION}`, 'bin', 'helm'), '--all');
}

/**
 * Why suites that run `helm` cannot run here (it was not built), or
 * undefined when they can: skip the suite with the reason, as for a missing
 * node. `scripts/test-summary.mjs --require-node-suites` fails a run whose
 * suite was skipped so on a machine meant to run everything.
 *
 * @example
 * const skipReason = whyNoHelm();
 * const describeHelm = skipReason ? describe.skip : describe;
 */
export function whyNoHelm(): string | undefined {
  try {
    helmBinary();
    return undefined;
  } catch (err) {
    if (!(err instanceof MissingBinaryError)) throw err;
    return err.message;
  }
}

/** Options of {@link helm}. */
export interface HelmOptions {
  /** The cluster to act on (`--kubeconfig`); leave out for commands that need none (lint, template). */
  readonly kubeconfig?: string;
  /** How long it may take. Default 120 000 ms. */
  readonly timeoutMs?: number;
}

function helmHome(): string {
  const home = join(tmpdir(), `switchboard-helm-${process.getuid?.() ?? 'user'}`);
  mkdirSync(home, { recursive: true });
  return home;
}

/**
 * Runs `helm ARGS`; resolves with its stdout, rejects with a CommandError
 * carrying its stderr.
 *
 * @example
 * await helm(['install', 'etcd', 'operators/etcd/chart', '-n', ns, '--wait'], { kubeconfig });
 */
export function helm(args: readonly string[], options: HelmOptions = {}): Promise<string> {
  const home = helmHome();
  return run(helmBinary(), [...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []), ...args], {
    timeoutMs: options.timeoutMs ?? 120_000,
    env: {
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    },
  });
}

/** What {@link renderChart} renders. */
export interface RenderChartOptions {
  /** Release name. Default `test`. */
  readonly release?: string;
  /** Release namespace. Default `default`. */
  readonly namespace?: string;
  /** `--set` pairs, e.g. `{ scope: 'namespace' }`. */
  readonly set?: Readonly<Record<string, string>>;
  /** Also the CRDs of the chart's crds/ folder (`--include-crds`). */
  readonly includeCrds?: boolean;
}

/** The objects `helm template` renders from a chart folder (no cluster needed). */
export async function renderChart(
  chart: string,
  options: RenderChartOptions = {},
): Promise<RenderedObject[]> {
  const out = await helm([
    'template',
    options.release ?? 'test',
    chart,
    '--namespace',
    options.namespace ?? 'default',
    ...(options.includeCrds ? ['--include-crds'] : []),
    ...Object.entries(options.set ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
  ]);
  return parseAllDocuments(out)
    .map((d) => d.toJS() as RenderedObject | null)
    .filter((o): o is RenderedObject => o !== null);
}
