// The local OCI registry (distribution, a real registry) that the image
// builder pushes to and every node's containerd pulls from. Its storage lives
// in the cache folder, so images built once serve every later cluster; each
// cluster starts its own registry process on a free loopback port over it.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';

import { ComponentNotReadyError } from '../control-plane/control-plane.js';
import { waitUntil } from '../control-plane/health.js';
import { cacheDir } from '../control-plane/paths.js';
import { freePort } from '../control-plane/ports.js';
import { startProcess, stopPid } from '../control-plane/process.js';
import { imageBinary } from '../node/binaries.js';

/** Where the registry keeps its blobs and manifests by default. */
export function defaultRegistryStorage(): string {
  return join(cacheDir(), 'images', 'registry');
}

/** A running registry. */
export interface LocalRegistry {
  /** `<host>:<port>`, plain HTTP. */
  readonly address: string;
  readonly pid: number;
  readonly logFile: string;
  /** Stops the registry process; its storage stays for the next start. */
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** Folder for its config and log. */
  readonly dir: string;
  /** Address to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** Storage folder. Default {@link defaultRegistryStorage}. */
  readonly storageDir?: string;
  readonly readyTimeoutMs?: number;
}

/**
 * GETs a URL on a connection of its own and resolves with the status (0 when
 * it cannot connect). Not fetch: its pooled keep-alive connection would hold
 * a short-lived command's event loop open for seconds after the registry stopped.
 */
function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Starts the registry and resolves once `/v2/` answers. */
export async function startRegistry(options: RegistryOptions): Promise<LocalRegistry> {
  const binary = imageBinary.registry();
  const storageDir = options.storageDir ?? defaultRegistryStorage();
  await mkdir(storageDir, { recursive: true });
  await mkdir(options.dir, { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const port = await freePort(host);
  const address = `${host}:${port}`;
  const config = join(options.dir, 'registry.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storageDir}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${address}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
      '',
    ].join('\n'),
  );
  const logFile = join(options.dir, 'registry.log');
  const p = startProcess({ name: 'registry', command: binary, args: ['serve', config], logFile });
  const timeout = options.readyTimeoutMs ?? 20_000;
  try {
    await waitUntil(
      async () => {
        if (p.hasExited())
          throw new ComponentNotReadyError('registry', `exited with ${String(await p.exited)}`, logFile);
        return (await statusOf(`http://${address}/v2/`)) === 200;
      },
      timeout,
      () =>
        new ComponentNotReadyError(
          'registry',
          `http://${address}/v2/ did not answer in ${timeout} ms`,
          logFile,
        ),
    );
  } catch (err) {
    await stopPid(p.pid);
    throw err;
  }
  return { address, pid: p.pid, logFile, stop: () => stopPid(p.pid) };
}
