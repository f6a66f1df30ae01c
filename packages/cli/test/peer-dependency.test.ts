// A peer dependency missing from the user's project: the switchboard command
// says which package, which range and what to run, in one line, instead of
// a module-resolution stack.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { PEER_DEPENDENCIES, missingPeerProblem } from '../src/peer-dependency.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** An error as Node's ESM loader throws it for a package that is not installed. */
function notFound(specifier: string): Error {
  return Object.assign(new Error(`Cannot find package '${specifier}' imported from /project/x.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
}

describe('missingPeerProblem', () => {
  const peers = { '@kubernetes/client-node': '^2.0.1', '@switchboard/core': 'workspace:^' };

  it('names the missing peer, the range and the install command', () => {
    expect(missingPeerProblem(notFound('@kubernetes/client-node'), peers)).toBe(
      '@kubernetes/client-node is not installed: @switchboard/cli needs it beside itself (a peer dependency, ^2.0.1); run `npm install @kubernetes/client-node@^2.0.1` in your project, then the command again',
    );
  });

  it("asks for the CLI's own version of a workspace peer", () => {
    expect(missingPeerProblem(notFound('@switchboard/core'), peers)).toContain(
      '(a peer dependency, the same version); run `npm install @switchboard/core`',
    );
  });

  it('leaves other errors alone: a package that is no peer, or another failure', () => {
    expect(missingPeerProblem(notFound('left-pad'), peers)).toBeUndefined();
    expect(missingPeerProblem(new Error('boom'), peers)).toBeUndefined();
    expect(missingPeerProblem('text', peers)).toBeUndefined();
  });

  it("reads the peers from the CLI's package.json", () => {
    expect(Object.keys(PEER_DEPENDENCIES).sort()).toEqual(['@kubernetes/client-node', '@switchboard/core']);
  });
});

describe('the switchboard command without @kubernetes/client-node', () => {
  it('says so in one line and exits 1', () => {
    // A resolve hook that answers for client-node as Node does when it is not installed.
    const hook = `export async function resolve(s, c, next) {
      if (s === '@kubernetes/client-node') {
        const e = new Error("Cannot find package '" + s + "' imported from " + c.parentURL);
        e.code = 'ERR_MODULE_NOT_FOUND';
        throw e;
      }
      return next(s, c);
    }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const ran = spawnSync(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(register)}`,
        join(root, 'packages/cli/dist/main.js'),
        '--help',
      ],
      { encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
    );
    expect(ran.stderr).toBe(
      `switchboard: @kubernetes/client-node is not installed: @switchboard/cli needs it beside itself (a peer dependency, ${PEER_DEPENDENCIES['@kubernetes/client-node']}); run \`npm install @kubernetes/client-node@${PEER_DEPENDENCIES['@kubernetes/client-node']}\` in your project, then the command again\n`,
    );
    expect(ran.status).toBe(1);
  });
});
