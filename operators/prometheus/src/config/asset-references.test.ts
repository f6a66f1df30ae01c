import { loadGoldenCase } from '../../test/support/golden-inputs.js';
import { referencedAssets } from './asset-references.js';

describe('referencedAssets', () => {
  it('lists each Secret and ConfigMap a ServiceMonitor refers to once', () => {
    const c = loadGoldenCase('config', 'servicemonitor-full');
    expect(referencedAssets(c.prometheus, c.serviceMonitors, [])).toEqual([
      { kind: 'ConfigMap', namespace: 'apps', name: 'shop-client' },
      { kind: 'Secret', namespace: 'apps', name: 'shop-auth' },
      { kind: 'Secret', namespace: 'apps', name: 'shop-tls' },
    ]);
  });

  it('includes alerting and remote-write credentials in the Prometheus namespace', () => {
    const c = loadGoldenCase('config', 'prometheus-global');
    expect(referencedAssets(c.prometheus, [], [])).toEqual([
      { kind: 'Secret', namespace: 'monitoring', name: 'am-auth' },
      { kind: 'Secret', namespace: 'monitoring', name: 'rw-auth' },
    ]);
  });
});
