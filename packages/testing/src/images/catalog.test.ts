import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { parseAllDocuments } from 'yaml';

import { checkoutRoot, configFlags, findRepoRoot } from './build.js';
import {
  IMAGES,
  OPERATOR_IMAGES,
  SWITCHBOARD_IMAGE_TAG,
  imageReferences,
  localRepository,
} from './catalog.js';
import type { ImageSpec } from './catalog.js';

describe('localRepository', () => {
  it('drops the host, as containerd asks the local registry', () => {
    expect(localRepository('quay.io/coreos/etcd:v3.6.16')).toEqual({
      repository: 'coreos/etcd',
      tag: 'v3.6.16',
    });
    expect(localRepository('registry.k8s.io/pause:3.10.2')).toEqual({ repository: 'pause', tag: '3.10.2' });
    expect(localRepository('switchboard.local/http-test-server:1')).toEqual({
      repository: 'http-test-server',
      tag: '1',
    });
  });
  it('puts Docker Hub official images under library/', () => {
    expect(localRepository('docker.io/library/busybox:1.37')).toEqual({
      repository: 'library/busybox',
      tag: '1.37',
    });
    expect(localRepository('busybox:1.37')).toEqual({ repository: 'library/busybox', tag: '1.37' });
  });
  it('refuses a reference without a tag', () => {
    expect(() => localRepository('quay.io/coreos/etcd')).toThrow(/explicit tag/);
    expect(() => localRepository('localhost:5000/x')).toThrow(/explicit tag/);
  });
});

describe('IMAGES', () => {
  it('serves every reference once, each with a tag', () => {
    const refs = imageReferences();
    expect(new Set(refs).size).toBe(refs.length);
    const local = refs.map((r) => {
      const { repository, tag } = localRepository(r);
      return `${repository}:${tag}`;
    });
    // Hosts collapse in the local registry: two images must not land on one name.
    expect(new Set(local).size).toBe(local.length);
  });
  it('has names unique and configs crane can set', () => {
    expect(new Set(IMAGES.map((i) => i.name)).size).toBe(IMAGES.length);
    for (const image of IMAGES) {
      expect(() => configFlags(image)).not.toThrow();
      expect(image.user ?? '0:0').toMatch(/^\d+:\d+$/);
    }
  });
  it('runs the images the cluster itself needs', () => {
    const refs = imageReferences();
    expect(refs).toEqual(
      expect.arrayContaining([
        'registry.k8s.io/pause:3.10.2',
        'registry.k8s.io/coredns/coredns:v1.15.0',
        'docker.io/rancher/local-path-provisioner:v0.0.30',
        'docker.io/library/busybox:latest',
      ]),
    );
  });
});

/** What the final stage of a Dockerfile sets: the instructions after its last FROM. */
function finalStage(dockerfile: string): { from: string; instructions: Map<string, string[]> } {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const last = lines.map((l) => l.split(/\s+/)[0]?.toUpperCase()).lastIndexOf('FROM');
  const instructions = new Map<string, string[]>();
  for (const line of lines.slice(last + 1)) {
    const [word = '', ...rest] = line.split(/\s+/);
    instructions.set(word.toUpperCase(), [...(instructions.get(word.toUpperCase()) ?? []), rest.join(' ')]);
  }
  return { from: lines[last] ?? '', instructions };
}

describe('OPERATOR_IMAGES', () => {
  const root = findRepoRoot();
  const folderOf = (image: ImageSpec) => join(root, 'operators', image.name.replace(/-operator$/, ''));

  it.each(OPERATOR_IMAGES.map((i) => [i.name, i] as const))(
    '%s is served under the image its manager Deployment names',
    (_name, image) => {
      const docs = parseAllDocuments(
        readFileSync(join(folderOf(image), 'config', 'manager', 'manager.yaml'), 'utf8'),
      ).map(
        (d) =>
          d.toJS() as {
            kind?: string;
            spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
          },
      );
      const deployment = docs.find((d) => d.kind === 'Deployment');
      const wanted = deployment?.spec?.template?.spec?.containers?.[0]?.image ?? '(none)';
      expect(image.references.map(localRepository)).toContainEqual(localRepository(wanted));
    },
  );

  it.each(OPERATOR_IMAGES.map((i) => [i.name, i] as const))(
    '%s lays out what the final stage of its Dockerfile lays out',
    (_name, image) => {
      const { from, instructions } = finalStage(readFileSync(join(folderOf(image), 'Dockerfile'), 'utf8'));
      // node:24-slim keeps Node at /usr/local/bin/node.
      expect(from).toMatch(/^FROM node:24-slim$/);
      expect(image.files).toContainEqual({ path: '/usr/local/bin/node', source: { kind: 'node' } });
      expect(instructions.get('COPY')).toEqual(['--from=build /out /app']);
      expect(image.files).toContainEqual({
        path: '/app',
        tree: { kind: 'workspace-package', package: `@switchboard/${image.name}` },
      });
      expect(JSON.parse(instructions.get('ENTRYPOINT')?.[0] ?? '[]')).toEqual(image.entrypoint);
      expect(instructions.get('USER')).toEqual([image.user]);
      expect(instructions.get('WORKDIR')).toEqual([image.workdir]);
      expect(instructions.get('ENV')?.map((e) => e.split('=', 2))).toEqual(Object.entries(image.env ?? {}));
    },
  );

  it('run as a non-root numeric user', () => {
    for (const image of OPERATOR_IMAGES) expect(image.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
  });
});

describe('checkoutRoot', () => {
  it('finds the checkout this package runs from', () => {
    expect(checkoutRoot()).toBe(findRepoRoot());
  });

  it('is undefined for a package installed into node_modules, even of a pnpm workspace', () => {
    const root = findRepoRoot();
    expect(
      checkoutRoot(join(root, 'node_modules', '@switchboard', 'testing', 'dist', 'images')),
    ).toBeUndefined();
  });
});

describe('image tags', () => {
  const root = findRepoRoot();
  const ours = IMAGES.filter((i) =>
    /^(etcd-operator|prometheus-operator|prometheus-config-reloader)$/.test(i.name),
  );

  it("tag the operators and the config reloader with the packages' version", () => {
    const version = (
      JSON.parse(readFileSync(join(root, 'operators/etcd/package.json'), 'utf8')) as { version: string }
    ).version;
    expect(SWITCHBOARD_IMAGE_TAG).toBe(version);
    expect(ours.map((i) => i.name).sort()).toEqual([
      'etcd-operator',
      'prometheus-config-reloader',
      'prometheus-operator',
    ]);
    for (const image of ours)
      expect(image.references).toEqual([`docker.io/switchboard/${image.name}:${version}`]);
  });

  it('are the same version in every manifest, Dockerfile, default and doc that names one', () => {
    const check = spawnSync(process.execPath, [join(root, 'scripts/sync-image-tags.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it("move the Helm charts' version and appVersion too, and --check names a chart left behind", async () => {
    const script = (await import(join(root, 'scripts/sync-image-tags.mjs'))) as {
      FILES: string[];
      CHARTS: string[];
      syncImageTags(dir: string, opts: { check: boolean }): { version: string; stale: string[] };
    };
    expect(script.CHARTS).toEqual([
      'operators/etcd/chart/Chart.yaml',
      'operators/prometheus/chart/Chart.yaml',
    ]);
    const copy = mkdtempSync(join(tmpdir(), 'switchboard-image-tags-'));
    try {
      for (const file of [...script.FILES, ...script.CHARTS, 'packages/core/package.json']) {
        mkdirSync(dirname(join(copy, file)), { recursive: true });
        cpSync(join(root, file), join(copy, file));
      }
      const chart = join(copy, script.CHARTS[0]!);
      const current = readFileSync(chart, 'utf8');
      const { version } = script.syncImageTags(copy, { check: true });
      writeFileSync(chart, current.replace(/^appVersion: .*$/m, "appVersion: '0.0.9'"));
      expect(script.syncImageTags(copy, { check: true }).stale).toEqual([
        'operators/etcd/chart/Chart.yaml: appVersion 0.0.9',
      ]);
      // Without --check it writes the version back, quoted as it was.
      expect(script.syncImageTags(copy, { check: false }).stale).toHaveLength(1);
      expect(readFileSync(chart, 'utf8')).toBe(current);
      expect(current).toContain(`\nversion: ${version}\n`);
      expect(script.syncImageTags(copy, { check: true }).stale).toEqual([]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('the config reloader lays out what the final stage of its Dockerfile lays out', () => {
    const reloader = IMAGES.find((i) => i.name === 'prometheus-config-reloader')!;
    const { from, instructions } = finalStage(
      readFileSync(join(root, 'operators/prometheus/config-reloader/Dockerfile'), 'utf8'),
    );
    expect(from).toBe('FROM scratch');
    expect(reloader.files.map((f) => f.path)).toEqual(['/bin/prometheus-config-reloader']);
    expect(instructions.get('COPY')).toEqual([
      '--from=build /out/prometheus-config-reloader /bin/prometheus-config-reloader',
    ]);
    expect(JSON.parse(instructions.get('ENTRYPOINT')?.[0] ?? '[]')).toEqual(reloader.entrypoint);
    expect(instructions.get('USER')).toEqual([reloader.user]);
  });
});
