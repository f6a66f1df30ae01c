// `switchboard new operator <name>` and `switchboard new api <Kind>`.
import { relative } from 'node:path';

import { line, UsageError } from '../output.js';
import { newApi, newOperator } from '../scaffold/new.js';
import type { ScaffoldOptions } from '../scaffold/new.js';

export const newHelp = `Usage: switchboard new operator <name> [--kind Kind] [--group GROUP] [--version VERSION] [--dir PARENT]
       switchboard new api <Kind> [--group GROUP] [--version VERSION] [--dir PROJECT]

  operator   a standalone operator project in PARENT/<name> (default: the current folder):
             package.json on @switchboard/core, one kind with its controller and test,
             config/ (CRD, RBAC, manager, samples), Dockerfile, README
  api        adds a kind to the project in PROJECT (default: the current folder):
             src/api/<kind>.ts, its controller, a test, a sample, its CRD and RBAC

Options:
  --kind Kind        first kind of a new operator (default: from the name, webapp-operator -> Webapp)
  --group GROUP      API group (default: example.com)
  --version VERSION  API version (default: v1alpha1)
`;

export function newCommand(
  args: readonly string[],
  opts: ScaffoldOptions & { dir?: string | undefined },
): void {
  const [what, name] = args;
  const dir = opts.dir ?? '.';
  switch (what) {
    case 'operator': {
      const created = newOperator(dir, name, opts);
      line('created', relative('.', created) || '.');
      process.stdout.write(
        `\nNext:\n  cd ${relative('.', created)} && npm install\n` +
          `  npm test                        # against a local control plane the tests start\n` +
          `  kubectl apply -k config/default # into a cluster of yours, once the image is built\n`,
      );
      return;
    }
    case 'api':
      newApi(dir, name, opts);
      line('added', `${name ?? ''} (then: npm run typecheck && npm test)`);
      return;
    default:
      throw new UsageError(`unknown new command ${what ? `"${what}"` : '(none)'}\n\n${newHelp}`);
  }
}
