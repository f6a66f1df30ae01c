// The package as Node loads it (its built files, through its exports map):
// the decorators live at their own path, so importing the core does not
// install reflect-metadata's global polyfill on a user's process.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const pkg = join(import.meta.dirname, '..');

/** Runs `code` as an ES module in a fresh Node inside the core package, so its own name resolves through `exports`. */
async function evaluate(code: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], {
    cwd: pkg,
  });
  return stdout.trim();
}

describe('@switchboard/core as published', () => {
  it('leaves Reflect alone when the core is imported', async () => {
    expect(
      await evaluate(`const core = await import('@switchboard/core');
        console.log(typeof core.Manager, typeof Reflect.getMetadata, 'Controller' in core);`),
    ).toBe('function undefined false');
  });

  it('offers the decorators at @switchboard/core/decorators, with reflect-metadata loaded there', async () => {
    expect(
      await evaluate(`const d = await import('@switchboard/core/decorators');
        console.log(typeof d.Controller, typeof d.buildDecoratedController, typeof Reflect.getMetadata);`),
    ).toBe('function function function');
  });
});
