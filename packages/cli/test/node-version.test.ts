// A Node older than the packages' engines gets one line naming the version
// found, the one needed and what to do, from the CLI and from the jest global
// setup, instead of a TypeError from deep inside client-node's HTTP client.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { MIN_NODE_VERSION, nodeVersionProblem } from '../src/node-version.js';

const root = join(import.meta.dirname, '..', '..', '..');
/** Runs `node` as if it were Node `version` (process.versions.node is replaced before anything loads). */
const asNode = (version: string, args: string[]) =>
  spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,Object.defineProperty(process,"versions",{value:{...process.versions,node:"${version}"}})`,
      ...args,
    ],
    { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );

describe('nodeVersionProblem', () => {
  it('accepts the minimum and anything newer', () => {
    for (const v of [MIN_NODE_VERSION, '22.20.0', '23.0.0', '24.21.0', 'v24.1.0'])
      expect(nodeVersionProblem(v)).toBeUndefined();
  });

  it('names the version found and the one needed for older ones', () => {
    for (const v of ['20.20.2', '22.18.9', '22.0.0', '18.19.1']) {
      expect(nodeVersionProblem(v)).toBe(
        `Node ${v} is too old: Switchboard needs Node ${MIN_NODE_VERSION} or newer (Node 24 recommended); install it, put it first on PATH, and run the command again`,
      );
    }
  });

  it('is the minimum every published package declares in its engines', () => {
    for (const dir of [
      'packages/core',
      'packages/testing',
      'packages/cli',
      'operators/etcd',
      'operators/prometheus',
    ]) {
      const { engines } = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
        engines: { node: string };
      };
      expect({ dir, node: engines.node }).toEqual({ dir, node: `>=${MIN_NODE_VERSION}` });
    }
  });
});

describe('on a Node too old', () => {
  it('the switchboard command says so in one line, before loading anything else', () => {
    const ran = asNode('20.20.2', [join(root, 'packages/cli/dist/main.js'), '--help']);
    expect(ran.stderr).toBe(
      `switchboard: Node 20.20.2 is too old: Switchboard needs Node ${MIN_NODE_VERSION} or newer (Node 24 recommended); install it, put it first on PATH, and run the command again\n`,
    );
    expect(ran.status).toBe(1);
  });

  it('the jest global setup of @switchboard/testing says so, naming the version needed', () => {
    const setup = join(root, 'packages/testing/jest/global-setup.js');
    const ran = asNode('20.20.2', [
      '--input-type=module',
      '-e',
      `import(${JSON.stringify(setup)}).then((m) => m.default()).catch((e) => { console.error(e.message); process.exit(3); })`,
    ]);
    expect(ran.stderr.trim()).toBe(
      `@switchboard/testing: Node 20.20.2 is too old, it needs Node ${MIN_NODE_VERSION} or newer (Node 24 recommended); install it, put it first on PATH, and run the tests again`,
    );
    expect(ran.status).toBe(3);
  });
});
