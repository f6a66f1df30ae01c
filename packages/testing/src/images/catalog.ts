// The one reviewed list of images the local cluster serves. Each image is
// assembled from local files only (static Go binaries from the build scripts,
// Debian programs with the shared libraries they load, Go programs of this
// repository) and pushed to the local registry under the public names users'
// manifests use: containerd on every node takes that registry as the server
// for docker.io, quay.io, registry.k8s.io, ghcr.io and switchboard.local.
//
// To add an image: add an entry here, run `npm run switchboard -- image build`,
// and list it with `npm run cluster -- images`.
import { readFileSync } from 'node:fs';

import { NODE_VERSIONS } from '../node/binaries.js';

/**
 * The version the operators' images are tagged with: the packages' version.
 * The five public packages move together (changesets' fixed group), so this
 * package's own version is the operators' too; `npm run version-packages`
 * writes it into every manifest that names an image (scripts/sync-image-tags.mjs).
 */
export const SWITCHBOARD_IMAGE_TAG = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Where a file of an image comes from. */
export type FileSource =
  /** A binary the build scripts cached: `<cache>/<component>/<version>/bin/<name>`. */
  | { readonly kind: 'cache'; readonly component: string; readonly version: string; readonly name: string }
  /** A program installed on the host (a Debian package); `withLibraries` adds what `ldd` lists. */
  | { readonly kind: 'host'; readonly path: string; readonly withLibraries?: boolean }
  /** A Go program in this repository (folder relative to the repository root), built with CGO_ENABLED=0. */
  | { readonly kind: 'go'; readonly dir: string }
  /**
   * The project's Node.js (bootstrap's Node 24 under `.tools/`, else the Node
   * running the build), with the shared libraries `ldd` lists.
   */
  | { readonly kind: 'node' };

/** Where a directory tree of an image comes from. */
export type TreeSource =
  /**
   * A package of this workspace as `pnpm deploy --prod` lays it out: its
   * published files (the built `dist/`) and its production dependencies,
   * workspace ones as their built JavaScript. Skipped until the package is built.
   */
  { readonly kind: 'workspace-package'; readonly package: string };

/** One entry of an image's file system. */
export type ImageFile =
  | { readonly path: string; readonly source: FileSource; readonly mode?: number }
  | { readonly path: string; readonly content: string; readonly mode?: number }
  | { readonly path: string; readonly symlink: string }
  | { readonly path: string; readonly directory: true; readonly mode?: number }
  /** Busybox at `path` plus a symlink for each applet it lists (sh, ls, wget, nslookup...). */
  | { readonly path: string; readonly busybox: FileSource }
  /** A directory tree copied to `path` as it is (symlinks kept). */
  | { readonly path: string; readonly tree: TreeSource };

/** An image: its names, its files, and how it starts. */
export interface ImageSpec {
  /** Short name for logs and `image build NAME`. */
  readonly name: string;
  /** Every reference it is served under, `host/repository:tag`. */
  readonly references: readonly string[];
  readonly files: readonly ImageFile[];
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  /** Numeric `uid:gid`, so the kubelet can check `runAsNonRoot`. Default `0:0`. */
  readonly user?: string;
  /** Added to `PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`. */
  readonly env?: Readonly<Record<string, string>>;
  readonly workdir?: string;
}

const cache = (component: string, version: string, name: string): FileSource => ({
  kind: 'cache',
  component,
  version,
  name,
});
const busybox: FileSource = { kind: 'host', path: '/bin/busybox' };
const v = NODE_VERSIONS;

function etcdImage(version: string): ImageSpec {
  const bin = (name: string): ImageFile => ({
    path: `/usr/local/bin/${name}`,
    source: cache('etcd', `v${version}`, name),
  });
  return {
    name: `etcd-${version}`,
    // registry.k8s.io tags add a packaging revision (-0), as upstream does.
    references: [`quay.io/coreos/etcd:v${version}`, `registry.k8s.io/etcd:${version}-0`],
    files: [
      bin('etcd'),
      bin('etcdctl'),
      bin('etcdutl'),
      { path: '/var/etcd', directory: true },
      { path: '/var/lib/etcd', directory: true },
    ],
    cmd: ['/usr/local/bin/etcd'],
    workdir: '/',
  };
}

// The Prometheus operator's workloads. Prometheus, Alertmanager and
// node_exporter are built from their Go modules into the cache (component
// folders `prometheus`, `alertmanager`, `node-exporter`); until that build has
// run, `image build` reports them skipped. The reloader is this repository's
// own program. Versions match the operator's defaults
// (operators/prometheus/src/resources/images.ts).
const PROMETHEUS_VERSION = 'v3.16.0';
const ALERTMANAGER_VERSION = 'v0.35.0';
const NODE_EXPORTER_VERSION = 'v1.12.1';

/** Images of the Prometheus operator's workloads (see above). */
const MONITORING_IMAGES: readonly ImageSpec[] = [
  {
    name: 'prometheus',
    references: [`quay.io/prometheus/prometheus:${PROMETHEUS_VERSION}`],
    files: [
      { path: '/bin/prometheus', source: cache('prometheus', PROMETHEUS_VERSION, 'prometheus') },
      { path: '/bin/promtool', source: cache('prometheus', PROMETHEUS_VERSION, 'promtool') },
      { path: '/prometheus', directory: true, mode: 0o777 },
    ],
    entrypoint: ['/bin/prometheus'],
    cmd: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus'],
    user: '65534:65534',
    workdir: '/prometheus',
  },
  {
    name: 'alertmanager',
    references: [`quay.io/prometheus/alertmanager:${ALERTMANAGER_VERSION}`],
    files: [
      { path: '/bin/alertmanager', source: cache('alertmanager', ALERTMANAGER_VERSION, 'alertmanager') },
      { path: '/alertmanager', directory: true, mode: 0o777 },
    ],
    entrypoint: ['/bin/alertmanager'],
    cmd: ['--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager'],
    user: '65534:65534',
    workdir: '/alertmanager',
  },
  {
    name: 'node-exporter',
    references: [`quay.io/prometheus/node-exporter:${NODE_EXPORTER_VERSION}`],
    files: [
      { path: '/bin/node_exporter', source: cache('node-exporter', NODE_EXPORTER_VERSION, 'node_exporter') },
    ],
    entrypoint: ['/bin/node_exporter'],
    user: '65534:65534',
  },
  {
    name: 'prometheus-config-reloader',
    references: [`docker.io/switchboard/prometheus-config-reloader:${SWITCHBOARD_IMAGE_TAG}`],
    files: [
      {
        path: '/bin/prometheus-config-reloader',
        source: { kind: 'go', dir: 'operators/prometheus/config-reloader' },
      },
    ],
    entrypoint: ['/bin/prometheus-config-reloader'],
    user: '65534:65534',
  },
];

/**
 * An operator of this repository, laid out as its Dockerfile's final stage
 * (operators/<name>/Dockerfile) lays it out on `node:24-slim`: Node at
 * /usr/local/bin/node, the package's production deploy at /app, a non-root
 * numeric user, `node dist/main.js` from /app. The reference is the one its
 * config/manager Deployment names, tagged with the package version; the image
 * is rebuilt whenever the package's built output (or a workspace package it
 * depends on) changes.
 */
function operatorImage(name: 'etcd-operator' | 'prometheus-operator'): ImageSpec {
  return {
    name,
    references: [`docker.io/switchboard/${name}:${SWITCHBOARD_IMAGE_TAG}`],
    files: [
      { path: '/usr/local/bin/node', source: { kind: 'node' } },
      { path: '/app', tree: { kind: 'workspace-package', package: `@switchboard/${name}` } },
    ],
    entrypoint: ['node', 'dist/main.js'],
    user: '65532:65532',
    env: { NODE_ENV: 'production' },
    workdir: '/app',
  };
}

/** The operators of this repository, as their Deployments run them (see `operatorImage` in this file). */
export const OPERATOR_IMAGES: readonly ImageSpec[] = [
  operatorImage('etcd-operator'),
  operatorImage('prometheus-operator'),
];

/** The standard set: what the bootstrap builds and the local cluster offers. */
export const IMAGES: readonly ImageSpec[] = [
  {
    name: 'pause',
    // containerd pins the first as its sandbox image; the older tags are what
    // other releases' kubelets and containerds ask for.
    references: [
      `registry.k8s.io/pause:${v.pause}`,
      'registry.k8s.io/pause:3.10.1',
      'registry.k8s.io/pause:3.10',
    ],
    files: [{ path: '/pause', source: cache('pause', v.pause, 'pause') }],
    entrypoint: ['/pause'],
    user: '65535:65535',
  },
  {
    name: 'busybox',
    references: [
      'docker.io/library/busybox:latest',
      'docker.io/library/busybox:1.37',
      'docker.io/library/busybox:1.36',
    ],
    files: [{ path: '/bin/busybox', busybox }],
    cmd: ['sh'],
  },
  etcdImage(v.etcd[0]),
  etcdImage(v.etcd[1]),
  {
    name: 'coredns',
    references: [`registry.k8s.io/coredns/coredns:v${v.coredns}`, `docker.io/coredns/coredns:${v.coredns}`],
    files: [{ path: '/coredns', source: cache('coredns', `v${v.coredns}`, 'coredns') }],
    entrypoint: ['/coredns'],
    user: '65532:65532',
  },
  {
    name: 'local-path-provisioner',
    references: [`docker.io/rancher/local-path-provisioner:v${v.localPathProvisioner}`],
    files: [
      {
        path: '/usr/bin/local-path-provisioner',
        source: cache('local-path-provisioner', `v${v.localPathProvisioner}`, 'local-path-provisioner'),
      },
    ],
    cmd: ['local-path-provisioner'],
  },
  {
    name: 'memcached',
    references: ['docker.io/library/memcached:1.6', 'docker.io/library/memcached:latest'],
    files: [
      {
        path: '/usr/local/bin/memcached',
        source: { kind: 'host', path: '/usr/bin/memcached', withLibraries: true },
      },
    ],
    entrypoint: ['memcached'],
    user: '11211:11211',
  },
  {
    name: 'http-test-server',
    references: ['switchboard.local/http-test-server:1', 'switchboard.local/http-test-server:latest'],
    files: [
      { path: '/http-test-server', source: { kind: 'go', dir: 'packages/testing/images/http-test-server' } },
      // A shell and small tools, so tests can `kubectl exec` into it.
      { path: '/bin/busybox', busybox },
    ],
    entrypoint: ['/http-test-server'],
    user: '65532:65532',
  },
  ...MONITORING_IMAGES,
  ...OPERATOR_IMAGES,
];

/** Every image reference the local cluster offers, one per image and tag, sorted. */
export function imageReferences(images: readonly ImageSpec[] = IMAGES): string[] {
  return images.flatMap((i) => i.references).sort();
}

/**
 * The repository path a reference has in the local registry: the reference
 * without its host, as containerd asks a mirror for it (`docker.io/busybox`
 * is `library/busybox`).
 */
export function localRepository(reference: string): { repository: string; tag: string } {
  const at = reference.lastIndexOf(':');
  const slash = reference.indexOf('/');
  if (at < 0 || at < slash) throw new Error(`image reference needs an explicit tag: ${reference}`);
  const name = reference.slice(0, at);
  const tag = reference.slice(at + 1);
  const parts = name.split('/');
  const hasHost = parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '');
  const path = hasHost ? parts.slice(1) : parts;
  const host = hasHost ? parts[0] : 'docker.io';
  if (host === 'docker.io' && path.length === 1) path.unshift('library');
  return { repository: path.join('/'), tag };
}
