// The `switchboard` command's dispatcher: one function from arguments to the
// command that runs, so tests call it as the binary does.
import { parseArgs } from 'node:util';

import { switchboardCommand } from '@switchboard/testing';

import { checkCommand, checkHelp, installCommand, installHelp } from './commands/check.js';
import { clusterCommand, clusterHelp, DEFAULT_CLUSTER, localKubeconfig, upArgs } from './commands/cluster.js';
import { imageCommand, imageHelp } from './commands/image.js';
import { crdCommand, crdHelp, rbacCommand, rbacHelp } from './commands/manifests.js';
import { newCommand, newHelp } from './commands/new.js';
import { setupCommand, setupHelp } from './commands/setup.js';
import { UsageError } from './output.js';

export const help = `Usage: switchboard <command> [options]

Commands:
  setup [--node|--all]      build the local cluster's binaries from their Go modules (once)
  cluster up|down|status    a local Kubernetes cluster built from source
  kubeconfig                print the local cluster's kubeconfig path
  image build|list          the local cluster's images (built from local files)
  crd                       CRDs from the operator's resource definitions (--write, --check)
  rbac                      the operator's ClusterRole from what its controllers do (--write, --check)
  check                     can the operator run here: kubeconfig, API server, its CRDs installed
  install                   install the operator's CRDs into the cluster
  new operator|api          scaffold an operator project, or add a kind to one

Run \`switchboard <command> --help\` for a command's options.
`;

/** Runs `switchboard` with `argv` (without node and the script path). */
export async function run(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      name: { type: 'string', default: DEFAULT_CLUSTER },
      force: { type: 'boolean', default: false },
      module: { type: 'string' },
      out: { type: 'string' },
      write: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      kind: { type: 'string' },
      group: { type: 'string' },
      version: { type: 'string' },
      dir: { type: 'string' },
      nodes: { type: 'string' },
      kubeconfig: { type: 'string' },
      node: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
    },
  });
  const [command, ...rest] = positionals;
  const name = values.name ?? DEFAULT_CLUSTER;
  switch (command) {
    case undefined:
      process.stdout.write(help);
      return;
    case 'cluster':
      if (values.help) return void process.stdout.write(clusterHelp);
      return clusterCommand(rest, {
        name,
        ...(values.nodes !== undefined ? { nodes: Number(values.nodes) } : {}),
      });
    case 'image':
      if (values.help) return void process.stdout.write(imageHelp);
      return imageCommand(rest, { force: values.force ?? false });
    case 'crd':
      if (values.help) return void process.stdout.write(crdHelp);
      return crdCommand(values);
    case 'rbac':
      if (values.help) return void process.stdout.write(rbacHelp);
      return rbacCommand(values);
    case 'check':
      if (values.help) return void process.stdout.write(checkHelp);
      return checkCommand(values);
    case 'install':
      if (values.help) return void process.stdout.write(installHelp);
      return installCommand(values);
    case 'setup':
      if (values.help) return void process.stdout.write(setupHelp);
      if (values.node && values.all) throw new UsageError('setup: pass --node or --all, not both');
      return setupCommand(values.all ? 'all' : values.node ? 'node' : 'control-plane');
    case 'new':
      if (values.help) return void process.stdout.write(newHelp);
      return newCommand(rest, values);
    case 'kubeconfig': {
      if (values.help)
        return void process.stdout.write(
          'Usage: switchboard kubeconfig [--name NAME]\n\n  prints the kubeconfig path of a running local cluster\n',
        );
      const path = await localKubeconfig(name);
      if (!path)
        throw new UsageError(
          `local cluster "${name}" is not up; start it with: ${switchboardCommand(upArgs(name))}`,
        );
      process.stdout.write(`${path}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${help}`);
  }
}
