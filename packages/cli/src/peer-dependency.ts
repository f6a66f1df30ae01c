// A peer dependency the user's project lacks (npm installs peers, but yarn
// and pnpm with auto-install-peers off do not): the first import throws
// ERR_MODULE_NOT_FOUND with a stack into the CLI's own files. The command
// turns that into one line naming the package, the range this package needs
// and the command to run.
import { readFileSync } from 'node:fs';

/** This package's peer dependencies: name -> version range. */
export const PEER_DEPENDENCIES: Readonly<Record<string, string>> =
  (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      peerDependencies?: Record<string, string>;
    }
  ).peerDependencies ?? {};

/** The package an ERR_MODULE_NOT_FOUND names (`Cannot find package 'x' imported from ...`), if any. */
function missingPackage(err: unknown): string | undefined {
  if (!(err instanceof Error) || !('code' in err) || err.code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  return /Cannot find package '([^']+)'/.exec(err.message)?.[1];
}

/**
 * One line for an import that failed because a peer dependency is not
 * installed, or undefined when `err` is something else.
 */
export function missingPeerProblem(
  err: unknown,
  peers: Readonly<Record<string, string>> = PEER_DEPENDENCIES,
): string | undefined {
  const name = missingPackage(err);
  if (name === undefined) return undefined;
  const range = Object.entries(peers).find(([peer]) => name === peer || name.startsWith(`${peer}/`))?.[1];
  if (range === undefined) return undefined;
  // A workspace range (this repository's own checkout) is published as a caret range.
  const wanted = range.replace(/^workspace:/, '');
  const spec = wanted === '^' || wanted === '*' ? name : `${name}@${wanted}`;
  return `${name} is not installed: @switchboard/cli needs it beside itself (a peer dependency, ${wanted === '^' ? 'the same version' : wanted}); run \`npm install ${spec}\` in your project, then the command again`;
}
