// Times config generation for 1,000 ServiceMonitors, each selecting one of
// 1,000 Services (the Services themselves are discovered by Prometheus, so
// the operator's cost is selection + translation + rendering + gzip).
//
// Run from the package: pnpm build && node bench/config-generation.mjs
import { gzipSync } from 'node:zlib';
import { AssetStore, generatePrometheusConfig, selectForPrometheus } from '../dist/index.js';

const MONITORS = Number(process.env.MONITORS ?? 1000);
const NAMESPACES = 10;
const namespaces = new Map(
  Array.from({ length: NAMESPACES }, (_, i) => [`team-${i}`, { monitored: 'true' }]),
);

const prometheus = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'Prometheus',
  metadata: { name: 'bench', namespace: 'monitoring' },
  spec: {
    serviceMonitorSelector: { matchLabels: { release: 'bench' } },
    serviceMonitorNamespaceSelector: { matchLabels: { monitored: 'true' } },
  },
};
const monitors = Array.from({ length: MONITORS }, (_, i) => ({
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'ServiceMonitor',
  metadata: { name: `svc-${i}`, namespace: `team-${i % NAMESPACES}`, labels: { release: 'bench' } },
  spec: {
    selector: {
      matchLabels: { app: `svc-${i}` },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }],
    },
    targetLabels: ['tier'],
    endpoints: [
      {
        port: 'metrics',
        interval: '15s',
        relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node_name' }],
      },
    ],
  },
}));

function once() {
  const start = process.hrtime.bigint();
  const selected = selectForPrometheus(prometheus, 'ServiceMonitor', monitors, namespaces);
  const out = generatePrometheusConfig({
    prometheus,
    serviceMonitors: selected,
    podMonitors: [],
    ruleConfigMapNames: [],
    assets: new AssetStore(),
  });
  const gz = gzipSync(out.yaml);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, jobs: selected.length, bytes: out.yaml.length, gzBytes: gz.length };
}

once(); // warm up the JIT
const runs = Array.from({ length: 5 }, once);
const times = runs.map((r) => r.ms).sort((a, b) => a - b);
const r = runs[0];
console.log(
  `${r.jobs} ServiceMonitors -> ${r.jobs} jobs, ${(r.bytes / 1024).toFixed(0)} KiB YAML (${(r.gzBytes / 1024).toFixed(0)} KiB gzipped)`,
);
console.log(
  `generation: median ${times[2].toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[4].toFixed(1)} ms over 5 runs`,
);
