import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expectGolden, PACKAGE_ROOT } from '../../test/support/golden.js';
import { loadGoldenCase } from '../../test/support/golden-inputs.js';
import type { ServiceMonitor } from '../api/index.js';
import { AssetStore } from './asset-store.js';
import { generatePrometheusConfig } from './prometheus-config.js';
import type { PrometheusConfigInputs } from './prometheus-config.js';
import { selectForPrometheus } from './selection.js';

const CASES = readdirSync(join(PACKAGE_ROOT, 'testdata', 'config'))
  .filter((f) => f.endsWith('.input.yaml'))
  .map((f) => f.slice(0, -'.input.yaml'.length))
  .sort();

function inputsFor(name: string): PrometheusConfigInputs {
  const c = loadGoldenCase('config', name);
  return {
    prometheus: c.prometheus,
    serviceMonitors: selectForPrometheus(c.prometheus, 'ServiceMonitor', c.serviceMonitors, c.namespaces),
    podMonitors: selectForPrometheus(c.prometheus, 'PodMonitor', c.podMonitors, c.namespaces),
    ruleConfigMapNames: c.ruleConfigMapNames,
    assets: new AssetStore({ secrets: c.secrets, configMaps: c.configMaps }),
  };
}

describe('generatePrometheusConfig', () => {
  it.each(CASES)('matches the golden file for %s', (name) => {
    const out = generatePrometheusConfig(inputsFor(name));
    expectGolden(`testdata/config/${name}.golden.yaml`, out.yaml);
    expect(out.rejected).toEqual([]);
  });

  it('names jobs serviceMonitor/<ns>/<name>/<i> and podMonitor/<ns>/<name>/<i>', () => {
    const jobs = (name: string): string[] =>
      (
        parse(generatePrometheusConfig(inputsFor(name)).yaml) as { scrape_configs: { job_name: string }[] }
      ).scrape_configs.map((s) => s.job_name);
    expect(jobs('servicemonitor-full')).toEqual(['serviceMonitor/apps/shop/0', 'serviceMonitor/apps/shop/1']);
    expect(jobs('podmonitor')).toEqual(['podMonitor/jobs/workers/0', 'podMonitor/jobs/workers/1']);
  });

  it('leaves out unselected monitors: other labels, or a namespace outside the selector', () => {
    const inputs = inputsFor('servicemonitor-basic');
    expect(inputs.serviceMonitors.map((m) => `${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      'monitoring/api',
    ]);
  });

  it('gives byte-equal output whatever the order of its inputs', () => {
    const a = inputsFor('servicemonitor-basic');
    const monitors: ServiceMonitor[] = ['c', 'a', 'b'].map((n) => ({
      ...a.serviceMonitors[0]!,
      metadata: { ...a.serviceMonitors[0]!.metadata, name: n },
    }));
    const first = generatePrometheusConfig({ ...a, serviceMonitors: monitors }).yaml;
    const second = generatePrometheusConfig({ ...a, serviceMonitors: [...monitors].reverse() }).yaml;
    expect(second).toBe(first);
  });

  it('rejects a monitor whose Secret is missing and keeps the others', () => {
    const inputs = inputsFor('servicemonitor-full');
    const out = generatePrometheusConfig({ ...inputs, assets: new AssetStore() });
    expect(out.rejected).toEqual([
      expect.objectContaining({
        kind: 'ServiceMonitor',
        namespace: 'apps',
        name: 'shop',
        reason: 'MissingAsset',
      }),
    ]);
    expect((parse(out.yaml) as { scrape_configs: unknown[] }).scrape_configs).toEqual([]);
  });

  it('collects TLS files from Secrets and ConfigMaps as assets', () => {
    const out = generatePrometheusConfig(inputsFor('servicemonitor-full'));
    expect(out.tlsAssets).toEqual({
      'configmap_apps_shop-client_tls.crt': 'CERT PEM',
      'secret_apps_shop-tls_ca.crt': 'CA PEM',
      'secret_apps_shop-tls_tls.key': 'KEY PEM',
    });
  });
});
