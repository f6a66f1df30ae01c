// The docs check: README.md and docs/**/*.md must not link to files or
// #anchors that do not exist, and their ```ts blocks must type-check against
// the published types of the workspace packages (their dist/ declarations), so
// a page never names an API that is gone. A block that is a deliberate
// fragment is marked ```ts nocheck.
//
// Every block goes into one temp folder inside the workspace and one tsc run
// checks them all (one compiler start, not one per block: CPU is scarce).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

function markdownFiles(): string[] {
  const files = [join(root, 'README.md')];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'api') walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk(join(root, 'docs'));
  return files;
}

interface CodeBlock {
  file: string;
  line: number; // 1-based line of the block's first code line
  lang: string;
  code: string;
}

interface Parsed {
  blocks: CodeBlock[];
  /** Lines outside fenced blocks, with their 1-based numbers. */
  prose: { line: number; text: string }[];
}

function parse(file: string): Parsed {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  const prose: Parsed['prose'] = [];
  let open: { fence: string; lang: string; start: number; body: string[] } | undefined;
  lines.forEach((text, i) => {
    const fence = /^\s*(`{3,}|~{3,})\s*(.*)$/.exec(text);
    if (open) {
      if (fence && fence[1]!.startsWith(open.fence) && fence[2]!.trim() === '') {
        blocks.push({ file, line: open.start, lang: open.lang, code: open.body.join('\n') });
        open = undefined;
      } else open.body.push(text);
    } else if (fence) open = { fence: fence[1]!, lang: fence[2]!.trim(), start: i + 2, body: [] };
    else prose.push({ line: i + 1, text });
  });
  return { blocks, prose };
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const { text } of parse(file).prose) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const slug = heading[1]!
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

function brokenLinks(file: string): string[] {
  const problems: string[] = [];
  for (const { line, text } of parse(file).prose) {
    // Inline code spans may show link syntax without being links.
    const stripped = text.replace(/`[^`]*`/g, '');
    for (const match of stripped.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split('#', 2) as [string, string | undefined];
      const where = `${relative(root, file)}:${line}: ${target}`;
      const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      if (!existsSync(resolved)) {
        problems.push(`${where} (no such file)`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) {
        problems.push(`${where} (no heading with that anchor)`);
      }
    }
  }
  return problems;
}

/** node_modules for the temp folder: the workspace packages and every dependency of theirs that a page imports. */
function linkModules(dir: string): void {
  const modules = join(dir, 'node_modules');
  const link = (name: string, target: string): void => {
    const at = join(modules, name);
    if (existsSync(at) || !existsSync(target)) return;
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(realpathSync(target), at, 'dir');
  };
  const packages: Record<string, string> = {
    '@switchboard/core': 'packages/core',
    '@switchboard/testing': 'packages/testing',
    '@switchboard/cli': 'packages/cli',
    '@switchboard/etcd-operator': 'operators/etcd',
    '@switchboard/prometheus-operator': 'operators/prometheus',
  };
  for (const [name, path] of Object.entries(packages)) link(name, join(root, path));
  for (const path of Object.values(packages)) {
    const deps = join(root, path, 'node_modules');
    if (!existsSync(deps)) continue;
    for (const entry of readdirSync(deps)) {
      if (entry.startsWith('.') || entry === '@switchboard') continue;
      if (entry.startsWith('@')) {
        for (const sub of readdirSync(join(deps, entry))) link(`${entry}/${sub}`, join(deps, entry, sub));
      } else link(entry, join(deps, entry));
    }
  }
  link('@types', join(root, 'node_modules/@types'));
}

describe('docs', () => {
  const files = markdownFiles();

  it('has no broken relative links or anchors in README.md and docs/', () => {
    expect(files.flatMap(brokenLinks)).toEqual([]);
  });

  it('has ts code blocks that type-check against the packages', () => {
    const blocks = files.flatMap((f) => parse(f).blocks).filter((b) => /^(ts|typescript)$/.test(b.lang));
    expect(blocks.length).toBeGreaterThan(0);
    const dir = mkdtempSync(join(root, '.docs-check-'));
    try {
      linkModules(dir);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: '../tsconfig.base.json',
          compilerOptions: {
            noEmit: true,
            declaration: false,
            declarationMap: false,
            types: ['node', 'jest'],
            noUnusedLocals: false,
          },
          include: ['*.ts'],
        }),
      );
      const origin = new Map<string, CodeBlock>();
      blocks.forEach((block, i) => {
        const name = `block-${i}.ts`;
        origin.set(name, block);
        // `export {}` makes every block a module of its own (top-level await, no name clashes).
        writeFileSync(join(dir, name), `${block.code}\nexport {};\n`);
      });
      const tsc = spawnSync(
        process.execPath,
        [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir, '--pretty', 'false'],
        {
          encoding: 'utf8',
          cwd: dir,
        },
      );
      // Point each error at the page and line it comes from.
      const errors = (tsc.stdout + tsc.stderr)
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => {
          const m = /^(block-\d+\.ts)\((\d+),(\d+)\): (.*)$/.exec(l);
          const block = m ? origin.get(m[1]!) : undefined;
          return block && m ? `${relative(root, block.file)}:${block.line + Number(m[2]) - 1}: ${m[4]}` : l;
        });
      expect(errors).toEqual([]);
      expect(tsc.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
