// Reaching a cluster from the command line, with errors that say what
// happened and the command that fixes it, one line each: no kubeconfig, an
// API server that does not answer, a kind whose CRD is not installed.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

import { KubeConfig } from '@kubernetes/client-node';
import { Client, NotFoundError } from '@switchboard/core';
import type { TypeMeta } from '@switchboard/core';
import { switchboardCommand } from '@switchboard/testing';

import { UsageError } from './output.js';

/** The hint of every kubeconfig error (read at call time: the command prefix comes from the environment). */
const startLocal = (): string =>
  `start a local cluster with \`${switchboardCommand('cluster up')}\` and export the KUBECONFIG line it prints`;

/** Where the kubeconfig comes from: --kubeconfig, then $KUBECONFIG, ~/.kube/config, in-cluster. */
export function loadKubeConfig(path?: string, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined) {
    if (!existsSync(path))
      throw new UsageError(`kubeconfig ${path} does not exist: pass an existing file, or ${startLocal()}`);
    kc.loadFromFile(path);
    return kc;
  }
  const fromEnv = (env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p !== '');
  if (fromEnv.length > 0) {
    const present = fromEnv.filter((p) => existsSync(p));
    if (present.length === 0)
      throw new UsageError(
        `KUBECONFIG names ${fromEnv.join(delimiter)}, which does not exist: ${startLocal()}`,
      );
    kc.loadFromFile(present[0]!);
    return kc;
  }
  const home = join(env['HOME'] ?? homedir(), '.kube', 'config');
  if (existsSync(home)) {
    kc.loadFromFile(home);
    return kc;
  }
  if (env['KUBERNETES_SERVICE_HOST'] !== undefined) {
    kc.loadFromCluster();
    return kc;
  }
  throw new UsageError(
    `no kubeconfig: KUBECONFIG is not set and ${home} does not exist; pass --kubeconfig PATH, or ${startLocal()}`,
  );
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/**
 * The code of a failed connection (ECONNREFUSED, ENOTFOUND, a TLS code, ...),
 * else its message. Duck-typed: Node's network errors may come from another
 * realm (a test sandbox), where `instanceof Error` is false.
 */
function connectionProblem(err: unknown, timeoutMs: number): string {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (typeof e === 'object' && e !== null && !seen.has(e)) {
    seen.add(e);
    const { name, code, message, cause } = e as ErrorLike;
    if (name === 'TimeoutError') return `no answer in ${timeoutMs / 1000} s`;
    if (typeof code === 'string') return code;
    const found = /\b(E[A-Z_]{3,}|[A-Z_]*CERT[A-Z_]*)\b/.exec(String(message));
    if (found?.[1] !== undefined) return found[1];
    e = cause;
  }
  return String((err as ErrorLike | undefined)?.message ?? err);
}

/** A client for `kc` once its API server answered; throws a one-line UsageError when it does not. */
export async function connect(kc: KubeConfig, timeoutMs = 10_000): Promise<Client> {
  const server = kc.getCurrentCluster()?.server ?? '(no server in the current context)';
  const client = Client.fromKubeConfig(kc, { requestTimeoutMs: timeoutMs });
  try {
    const res = await client.transport.request({
      method: 'GET',
      path: '/version',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status === 401 || res.status === 403)
      throw new UsageError(
        `the API server at ${server} refused the credentials of context "${kc.getCurrentContext()}" (HTTP ${res.status}): pick a context that may connect with \`kubectl config use-context NAME\``,
      );
    return client;
  } catch (err) {
    client.close();
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `cannot reach the API server at ${server} (${connectionProblem(err, timeoutMs)}): is the cluster up? check with \`${switchboardCommand('cluster status')}\`, start one with \`${switchboardCommand('cluster up')}\``,
    );
  }
}

/** One line per kind in `types` that the API server does not serve, each naming how to install it. */
export async function missingKinds(
  client: Client,
  types: readonly TypeMeta[],
  installHint: string,
): Promise<string[]> {
  const missing: string[] = [];
  for (const type of types) {
    try {
      await client.discovery.resourceFor(type);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      missing.push(
        `the API server does not serve ${type.kind} (${type.apiVersion}): its CRD is not installed; install it with \`${installHint}\``,
      );
    }
  }
  return missing;
}
