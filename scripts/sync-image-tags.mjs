// Writes the packages' version into every place that names one of our own
// images, so a released manifest deploys the image of its own release:
//
//   node scripts/sync-image-tags.mjs          # rewrite (run by npm run version-packages)
//   node scripts/sync-image-tags.mjs --check  # exit 1 and list what is out of step
//
// The five public packages move together (changesets' fixed group), so one
// version tags the etcd operator, the Prometheus operator and the config
// reloader. The local cluster's image builder tags them the same way
// (SWITCHBOARD_IMAGE_TAG in packages/testing/src/images/catalog.ts). The
// operators' Helm charts take the same version as their `version` and
// `appVersion`; their values leave the image tag empty, so it follows
// appVersion.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const IMAGES = ['etcd-operator', 'prometheus-operator', 'prometheus-config-reloader'];

/** Files that name our images, each with a tag to keep at the version. */
export const FILES = [
  'operators/etcd/config/manager/manager.yaml',
  'operators/etcd/src/kube/member-pod.ts',
  'operators/etcd/Dockerfile',
  'operators/prometheus/config/manager/manager.yaml',
  'operators/prometheus/src/resources/images.ts',
  'operators/prometheus/Dockerfile',
  'operators/prometheus/config-reloader/Dockerfile',
  'operators/prometheus/testdata/objects/prometheus.golden.yaml',
  'docs/etcd-operator.md',
  'docs/prometheus-operator.md',
  'docs/local-cluster.md',
];

/** Helm charts whose `version` and `appVersion` are the packages' version. */
export const CHARTS = ['operators/etcd/chart/Chart.yaml', 'operators/prometheus/chart/Chart.yaml'];

const pattern = new RegExp(`(switchboard/(?:${IMAGES.join('|')})):([A-Za-z0-9._-]+)`, 'g');
const chartField = /^(version|appVersion): *(['"]?)([^'"\s]*)\2 *$/gm;

/**
 * Checks (and unless `check`, rewrites) every image tag and chart version in
 * the checkout at `root`; returns what was out of step, one line each.
 */
export function syncImageTags(root, { check }) {
  const version = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')).version;
  const stale = [];
  for (const file of FILES) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    let found = 0;
    const next = text.replace(pattern, (_, image, tag) => {
      found += 1;
      if (tag !== version) stale.push(`${file}: ${image}:${tag}`);
      return `${image}:${version}`;
    });
    if (found === 0) stale.push(`${file}: names none of ${IMAGES.join(', ')}`);
    if (!check && next !== text) writeFileSync(path, next);
  }
  for (const file of CHARTS) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    const fields = new Set();
    const next = text.replace(chartField, (_, field, quote, value) => {
      fields.add(field);
      if (value !== version) stale.push(`${file}: ${field} ${value}`);
      return `${field}: ${quote}${version}${quote}`;
    });
    for (const field of ['version', 'appVersion'])
      if (!fields.has(field)) stale.push(`${file}: has no ${field}`);
    if (!check && next !== text) writeFileSync(path, next);
  }
  return { version, stale };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const check = process.argv.includes('--check');
  const { version, stale } = syncImageTags(join(import.meta.dirname, '..'), { check });
  if (check) {
    if (stale.length > 0) {
      console.error(`image tags out of step with version ${version}:`);
      for (const line of stale) console.error(`  ${line}`);
      console.error('next: node scripts/sync-image-tags.mjs');
      process.exit(1);
    }
    console.log(`every image tag is ${version}`);
  } else {
    console.log(`image tags set to ${version} in ${FILES.length} files and ${CHARTS.length} charts`);
  }
}
