// The API reference (`npm run docs:api`, TypeDoc over the public entry points
// of @switchboard/core and @switchboard/testing, configured in typedoc.json)
// builds without a single warning: every export is documented and every
// {@link} resolves. Checked without writing the site (--emit none).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

it('TypeDoc documents every public export of core and testing without warnings', () => {
  const typedoc = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--emit', 'none'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
  );
  const output = `${typedoc.stdout}${typedoc.stderr}`;
  expect(
    output.split('\n').filter((l) => /warning|error/i.test(l) && !/Found 0 errors and 0 warnings/.test(l)),
  ).toEqual([]);
  expect(typedoc.status).toBe(0);
});
