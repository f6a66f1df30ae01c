// Messages end with the next command to run. Which command that is depends
// on where the person is: in a project that installed @switchboard/cli it is
// `npx switchboard ...`; in the Switchboard repository its npm scripts set
// SWITCHBOARD_CLI_PREFIX, so messages name the scripts that exist there.

/** Environment variable naming how `switchboard` is run here (default `npx switchboard`). */
export const CLI_PREFIX_ENV = 'SWITCHBOARD_CLI_PREFIX';

/**
 * The command line a person types for `switchboard <args>`.
 *
 * @example
 * switchboardCommand('cluster up') // 'npx switchboard cluster up'
 */
export function switchboardCommand(args: string): string {
  return `${process.env[CLI_PREFIX_ENV] ?? 'npx switchboard'} ${args}`;
}
