import { chmod, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { copyTree, treeDigest, treeEntries } from './tree.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-tree-'));
  await mkdir(join(dir, 'src', 'dist', 'api'), { recursive: true });
  await writeFile(join(dir, 'src', 'dist', 'main.js'), 'console.log(1);\n');
  await writeFile(join(dir, 'src', 'dist', 'api', 'types.js'), 'export {};\n');
  await mkdir(join(dir, 'src', 'node_modules', '.pnpm', 'yaml@2', 'node_modules', 'yaml'), {
    recursive: true,
  });
  await writeFile(
    join(dir, 'src', 'node_modules', '.pnpm', 'yaml@2', 'node_modules', 'yaml', 'index.js'),
    '',
  );
  await symlink('.pnpm/yaml@2/node_modules/yaml', join(dir, 'src', 'node_modules', 'yaml'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('treeEntries', () => {
  it('lists every entry at every depth, sorted, without following symlinks', async () => {
    expect(await treeEntries(join(dir, 'src'))).toEqual([
      'dist',
      'dist/api',
      'dist/api/types.js',
      'dist/main.js',
      'node_modules',
      'node_modules/.pnpm',
      'node_modules/.pnpm/yaml@2',
      'node_modules/.pnpm/yaml@2/node_modules',
      'node_modules/.pnpm/yaml@2/node_modules/yaml',
      'node_modules/.pnpm/yaml@2/node_modules/yaml/index.js',
      'node_modules/yaml',
    ]);
  });
  it('leaves out skipped names with everything under them', async () => {
    expect(await treeEntries(join(dir, 'src'), { skip: ['node_modules'] })).toEqual([
      'dist',
      'dist/api',
      'dist/api/types.js',
      'dist/main.js',
    ]);
  });
});

describe('treeDigest', () => {
  const src = () => join(dir, 'src');

  it('is the same for the same content, whatever the timestamps', async () => {
    const before = await treeDigest(src());
    await writeFile(join(src(), 'dist', 'main.js'), 'console.log(1);\n');
    expect(await treeDigest(src())).toBe(before);
  });
  it('changes with a file content, a mode, a new file or a symlink target', async () => {
    const seen = new Set([await treeDigest(src())]);
    await writeFile(join(src(), 'dist', 'main.js'), 'console.log(2);\n');
    seen.add(await treeDigest(src()));
    await chmod(join(src(), 'dist', 'main.js'), 0o755);
    seen.add(await treeDigest(src()));
    await writeFile(join(src(), 'dist', 'extra.js'), '');
    seen.add(await treeDigest(src()));
    await rm(join(src(), 'node_modules', 'yaml'));
    await symlink('.pnpm/yaml@2/node_modules', join(src(), 'node_modules', 'yaml'));
    seen.add(await treeDigest(src()));
    expect(seen.size).toBe(5);
  });
  it('ignores what is skipped', async () => {
    const before = await treeDigest(src(), { skip: ['node_modules'] });
    await writeFile(join(src(), 'node_modules', '.pnpm', 'yaml@2', 'node_modules', 'yaml', 'index.js'), 'x');
    expect(await treeDigest(src(), { skip: ['node_modules'] })).toBe(before);
  });
});

describe('copyTree', () => {
  it('copies contents into a new folder, keeping symlinks as symlinks and modes', async () => {
    await chmod(join(dir, 'src', 'dist', 'main.js'), 0o750);
    const to = join(dir, 'root', 'app');
    await copyTree(join(dir, 'src'), to);
    expect(await readFile(join(to, 'dist', 'api', 'types.js'), 'utf8')).toBe('export {};\n');
    expect(await readlink(join(to, 'node_modules', 'yaml'))).toBe('.pnpm/yaml@2/node_modules/yaml');
    expect((await stat(join(to, 'dist', 'main.js'))).mode & 0o777).toBe(0o750);
    expect(await treeDigest(to)).toBe(await treeDigest(join(dir, 'src')));
  });
});
