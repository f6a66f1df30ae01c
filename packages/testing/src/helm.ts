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

import { cacheDir, findBinary, kubernetesBinary, MissingBinaryError } from './control-plane/paths.js';
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

/** A chart installed by {@link installChart}. */
export interface HelmRelease {
  readonly name: string;
  readonly namespace: string;
  /** The objects of the release's manifest (its templates; never the CRDs of crds/). */
  readonly objects: readonly RenderedObject[];
  /** `helm uninstall --wait`. */
  uninstall(): Promise<void>;
  /**
   * What of the release is still in the cluster, as `Kind/namespace/name`:
   * every object of its manifest, and any object of those kinds labelled
   * `app.kubernetes.io/instance=<release>`. Empty after a clean uninstall.
   */
  leftovers(): Promise<string[]>;
}

/** Options of {@link installChart}. */
export interface InstallChartOptions {
  /** The chart folder. */
  readonly chart: string;
  readonly release: string;
  /** The release namespace; it must exist. */
  readonly namespace: string;
  /** `--set` pairs. */
  readonly set?: Readonly<Record<string, string>>;
  /** How long `helm` may wait for the release's workloads to be ready. Default 180 000 ms. */
  readonly timeoutMs?: number;
}

/**
 * `helm upgrade --install --wait` of a chart (a retried test finds its
 * release and upgrades it); resolves once its workloads are ready.
 *
 * @example
 * const release = await installChart(kubeconfig, { chart: 'operators/etcd/chart', release: 'etcd', namespace: ns });
 * await release.uninstall();
 * expect(await release.leftovers()).toEqual([]);
 */
export async function installChart(kubeconfig: string, options: InstallChartOptions): Promise<HelmRelease> {
  const { release, namespace } = options;
  const timeoutMs = options.timeoutMs ?? 180_000;
  const scope = ['-n', namespace];
  await helm(
    [
      'upgrade',
      '--install',
      release,
      options.chart,
      ...scope,
      ...Object.entries(options.set ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
      '--wait',
      '--timeout',
      `${Math.round(timeoutMs / 1000)}s`,
    ],
    { kubeconfig, timeoutMs: timeoutMs + 60_000 },
  );
  const objects = parseAllDocuments(await helm(['get', 'manifest', release, ...scope], { kubeconfig }))
    .map((d) => d.toJS() as RenderedObject | null)
    .filter((o): o is RenderedObject => o !== null);
  const kubectl = (args: readonly string[]) =>
    run(kubernetesBinary('kubectl'), ['--kubeconfig', kubeconfig, ...args]);
  return {
    name: release,
    namespace,
    objects,
    async uninstall() {
      await helm(['uninstall', release, ...scope, '--wait', '--timeout', '120s'], {
        kubeconfig,
        timeoutMs: 180_000,
      });
    },
    async leftovers() {
      const found = new Set<string>();
      for (const o of objects) {
        const where = o.metadata.namespace ? ['-n', o.metadata.namespace] : [];
        const out = await kubectl([
          'get',
          o.kind,
          o.metadata.name,
          ...where,
          '--ignore-not-found',
          '-o',
          'name',
        ]);
        if (out.trim()) found.add([o.kind, o.metadata.namespace, o.metadata.name].filter(Boolean).join('/'));
      }
      const kinds = [...new Set(objects.map((o) => o.kind))];
      if (kinds.length > 0) {
        const list = JSON.parse(
          await kubectl([
            'get',
            kinds.join(','),
            '-A',
            '-l',
            `app.kubernetes.io/instance=${release}`,
            '-o',
            'json',
          ]),
        ) as { items: RenderedObject[] };
        for (const o of list.items)
          found.add([o.kind, o.metadata.namespace, o.metadata.name].filter(Boolean).join('/'));
      }
      return [...found].sort();
    },
  };
}
