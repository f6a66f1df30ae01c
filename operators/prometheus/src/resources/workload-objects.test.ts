import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectGolden, PACKAGE_ROOT } from '../../test/support/golden.js';
import type { Alertmanager, Prometheus } from '../api/index.js';
import { toYaml } from '../config/yaml.js';
import {
  alertmanagerConfigSecret,
  alertmanagerGoverningService,
  alertmanagerStatefulSet,
  DEFAULT_ALERTMANAGER_CONFIG,
} from './alertmanager-objects.js';
import { DEFAULT_IMAGES } from './images.js';
import { configSecret, prometheusGoverningService, ruleConfigMap } from './prometheus-objects.js';
import { CONFIG_KEY, prometheusStatefulSet } from './prometheus-statefulset.js';
import { workloadStatus } from './workload-status.js';

const docs = parseAllDocuments(
  readFileSync(join(PACKAGE_ROOT, 'testdata/objects/prometheus.input.yaml'), 'utf8'),
).map((d) => d.toJS() as { kind: string });
const prometheus = docs.find((d) => d.kind === 'Prometheus') as unknown as Prometheus;
const alertmanager = docs.find((d) => d.kind === 'Alertmanager') as unknown as Alertmanager;

describe('generated workload objects', () => {
  it('match the golden file for a Prometheus and an Alertmanager', () => {
    const objects = [
      prometheusStatefulSet(prometheus, ['prometheus-main-rulefiles-0'], DEFAULT_IMAGES),
      prometheusGoverningService(prometheus),
      ruleConfigMap(prometheus, { name: 'prometheus-main-rulefiles-0', data: {} }),
      alertmanagerStatefulSet(alertmanager, DEFAULT_IMAGES),
      alertmanagerGoverningService(alertmanager),
    ];
    expectGolden('testdata/objects/prometheus.golden.yaml', objects.map((o) => toYaml(o)).join('---\n'));
  });

  it('stores the config gzipped under prometheus.yaml.gz, byte-stable for equal input', () => {
    const a = configSecret(prometheus, 'global: {}\n');
    const b = configSecret(prometheus, 'global: {}\n');
    expect(a.data).toEqual(b.data);
    expect(gunzipSync(Buffer.from(a.data![CONFIG_KEY]!, 'base64')).toString()).toBe('global: {}\n');
  });

  it('falls back to a drop-everything Alertmanager config', () => {
    const s = alertmanagerConfigSecret(alertmanager, undefined);
    expect(Buffer.from(s.data!['alertmanager.yaml']!, 'base64').toString()).toBe(DEFAULT_ALERTMANAGER_CONFIG);
  });

  it('lists every peer of a clustered Alertmanager', () => {
    const args = alertmanagerStatefulSet(alertmanager, DEFAULT_IMAGES).spec.template.spec.containers[0]!
      .args!;
    expect(args.filter((a) => a.startsWith('--cluster.peer='))).toEqual(
      [0, 1, 2].map((i) => `--cluster.peer=alertmanager-main-${i}.alertmanager-operated.monitoring.svc:9094`),
    );
  });
});

describe('workloadStatus', () => {
  const now = new Date('2026-11-27T10:00:00Z');
  const sts = (available: number) => ({
    ...prometheusStatefulSet(prometheus, [], DEFAULT_IMAGES),
    status: { replicas: 2, availableReplicas: available, updatedReplicas: 2 },
  });

  it('is Available when every replica is, Degraded when some are, False when none', () => {
    const status = (available: number) =>
      workloadStatus({
        desired: 2,
        generation: 3,
        paused: false,
        sts: sts(available),
        result: { ok: true },
        previous: undefined,
        now,
      });
    expect(status(2).conditions[0]).toMatchObject({
      type: 'Available',
      status: 'True',
      observedGeneration: 3,
    });
    expect(status(1).conditions[0]).toMatchObject({ type: 'Available', status: 'Degraded' });
    expect(status(0).conditions[0]).toMatchObject({ type: 'Available', status: 'False' });
    expect(status(1)).toMatchObject({ replicas: 2, availableReplicas: 1, unavailableReplicas: 1 });
  });

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const first = workloadStatus({
      desired: 2,
      generation: 1,
      paused: false,
      sts: sts(2),
      result: { ok: true },
      previous: undefined,
      now,
    });
    const later = workloadStatus({
      desired: 2,
      generation: 1,
      paused: false,
      sts: sts(2),
      result: { ok: false, reason: 'MissingAsset', message: 'x' },
      previous: first.conditions,
      now: new Date('2026-11-27T11:00:00Z'),
    });
    expect(later.conditions[0]!.lastTransitionTime).toBe('2026-11-27T10:00:00Z');
    expect(later.conditions[1]).toMatchObject({
      type: 'Reconciled',
      status: 'False',
      reason: 'MissingAsset',
      lastTransitionTime: '2026-11-27T11:00:00Z',
    });
  });
});
