// What `switchboard` says when the cluster is not there: a missing
// kubeconfig, an API server that does not answer, and a kind whose CRD is not
// installed each give one line with what happened and the command to run.
// And every command answers --help.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { jest } from '@jest/globals';
import { Client } from '@switchboard/core';
import { testKubeConfig, testKubeconfigPath } from '@switchboard/testing';

import { run } from '../src/cli.js';
import { loadKubeConfig } from '../src/cluster-access.js';
import { Sprocket } from './fixtures/sprocket-operator.js';

const sprockets = join(import.meta.dirname, 'fixtures', 'sprocket-operator.ts');
// Hints name `npx switchboard` unless this repository's scripts set a
// prefix (npm test does): these tests read them as a project would.
const cliPrefix = process.env.SWITCHBOARD_CLI_PREFIX;
beforeAll(() => {
  delete process.env.SWITCHBOARD_CLI_PREFIX;
});
afterAll(() => {
  if (cliPrefix !== undefined) process.env.SWITCHBOARD_CLI_PREFIX = cliPrefix;
});

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'switchboard-cli-errors-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** What `run(argv)` wrote to stdout. */
async function stdoutOf(argv: string[]): Promise<string> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await run(argv);
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('--help', () => {
  it.each([
    [],
    ['setup'],
    ['cluster'],
    ['kubeconfig'],
    ['image'],
    ['crd'],
    ['rbac'],
    ['check'],
    ['install'],
    ['new'],
  ])('switchboard %s --help prints the usage', async (...command: string[]) => {
    expect(await stdoutOf([...command, '--help'])).toMatch(/^Usage: switchboard/);
  });
});

describe('a missing kubeconfig', () => {
  it('names where it looked and how to get one', () => {
    expect(() => loadKubeConfig(undefined, { HOME: tmp })).toThrow(
      `no kubeconfig: KUBECONFIG is not set and ${join(tmp, '.kube', 'config')} does not exist; pass --kubeconfig PATH, or start a local cluster with \`npx switchboard cluster up\` and export the KUBECONFIG line it prints`,
    );
  });

  it('says so for a --kubeconfig or $KUBECONFIG that does not exist', async () => {
    await expect(run(['check', '--kubeconfig', join(tmp, 'nope')])).rejects.toThrow(
      /^kubeconfig \S+nope does not exist: pass an existing file, or start a local cluster with `npx switchboard cluster up`/,
    );
    expect(() => loadKubeConfig(undefined, { KUBECONFIG: join(tmp, 'gone') })).toThrow(
      /^KUBECONFIG names \S+gone, which does not exist: start a local cluster/,
    );
  });
});

describe('an unreachable API server', () => {
  it('names the server and the connection error, and how to check and start the cluster', async () => {
    const port = await closedPort();
    const path = join(tmp, 'kubeconfig');
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'gone', cluster: { server: `https://127.0.0.1:${port}` } }],
        users: [{ name: 'me', user: { token: 'x' } }],
        contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'me' } }],
        'current-context': 'gone',
      }),
    );
    const failure = run(['check', '--kubeconfig', path, '--module', sprockets]);
    await expect(failure).rejects.toThrow(
      `cannot reach the API server at https://127.0.0.1:${port} (ECONNREFUSED): is the cluster up? check with \`npx switchboard cluster status\`, start one with \`npx switchboard cluster up\``,
    );
  });
});

describe('a missing CRD', () => {
  afterAll(async () => {
    await Client.fromKubeConfig(testKubeConfig())
      .resource({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' })
      .delete({ name: `${Sprocket.plural}.${Sprocket.group}` })
      .catch(() => undefined);
  });

  it('names the kind and the command that installs it; after `switchboard install` the check passes', async () => {
    const kubeconfig = testKubeconfigPath();
    await expect(run(['check', '--kubeconfig', kubeconfig, '--module', sprockets])).rejects.toThrow(
      `the API server does not serve Sprocket (sprockets.switchboard.test/v1): its CRD is not installed; install it with \`switchboard install --module ${sprockets}\``,
    );
    expect(await stdoutOf(['install', '--kubeconfig', kubeconfig, '--module', sprockets])).toContain(
      'installed      sprockets.sprockets.switchboard.test',
    );
    expect(await stdoutOf(['check', '--kubeconfig', kubeconfig, '--module', sprockets])).toMatch(
      /CRDs +Sprocket served/,
    );
  });
});
