// The ServiceMonitor the operator applies, read the way the bundled
// Prometheus operator reads it (its public selection and config generation;
// no cluster): the Prometheus of config/samples/etcdcluster-monitored.yaml,
// which operators/etcd/README.md tells users to apply, takes it, and the
// scrape job it becomes keeps exactly one target per member: the peer
// Service's `metrics` port, which reaches the member's plain-HTTP metrics
// listener. test/e2e/prometheus-scrape.test.ts proves the same on a node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type {
  Prometheus,
  ServiceMonitor as MonitoringServiceMonitor,
} from '@switchboard/prometheus-operator';
import { AssetStore, generatePrometheusConfig, selectForPrometheus } from '@switchboard/prometheus-operator';
import { parse, parseAllDocuments } from 'yaml';

import type { EtcdCluster } from '../api/types.js';
import { ETCD_CLUSTER_KIND } from '../api/types.js';
import type { Service } from './kube-types.js';
import { memberPod } from './member-pod.js';
import { serviceMonitor } from './service-monitor.js';
import { clientService, peerService } from './services.js';

const PACKAGE_DIR = join(import.meta.dirname, '..', '..');
const SAMPLE = join(PACKAGE_DIR, 'config', 'samples', 'etcdcluster-monitored.yaml');
const sample = parseAllDocuments(readFileSync(SAMPLE, 'utf8')).map(
  (d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string } },
);

/** The objects of the README's first yaml block after `heading`. */
function readmeObjects(heading: string): unknown[] {
  const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8');
  const after = readme.slice(readme.indexOf(heading));
  const block = /```yaml\n([\s\S]*?)```/.exec(after)?.[1] ?? '';
  return parseAllDocuments(block).map((d) => d.toJS() as unknown);
}
const prometheus = sample.find((o) => o.kind === 'Prometheus') as unknown as Prometheus;
const cluster = {
  ...(sample.find((o) => o.kind === ETCD_CLUSTER_KIND) as unknown as EtcdCluster),
  metadata: { name: 'main', namespace: 'default', uid: 'uid-main' },
};
const monitor = serviceMonitor(cluster) as unknown as MonitoringServiceMonitor;

interface ScrapeJob {
  job_name: string;
  kubernetes_sd_configs: unknown[];
  scheme?: string;
  metrics_path?: string;
  relabel_configs: { action?: string; source_labels?: string[]; regex?: string; separator?: string }[];
}

function scrapeJob(by: Prometheus = prometheus): ScrapeJob {
  const { yaml, rejected } = generatePrometheusConfig({
    prometheus: by,
    serviceMonitors: [monitor],
    podMonitors: [],
    ruleConfigMapNames: [],
    assets: new AssetStore(),
  });
  expect(rejected).toEqual([]);
  const jobs = (parse(yaml) as { scrape_configs: ScrapeJob[] }).scrape_configs;
  expect(jobs.map((j) => j.job_name)).toEqual(['serviceMonitor/default/main/0']);
  return jobs[0]!;
}

/**
 * Whether Prometheus keeps the target of one Service port found by the
 * endpoints role: its keep and drop steps applied to the meta labels the
 * role gives a target (Service labels, whether each is present, port name).
 */
function kept(job: ScrapeJob, service: Service, portName: string): boolean {
  const meta: Record<string, string> = { __meta_kubernetes_endpoint_port_name: portName };
  for (const [k, v] of Object.entries(service.metadata.labels ?? {})) {
    const name = k.replace(/[^a-zA-Z0-9_]/g, '_');
    meta[`__meta_kubernetes_service_label_${name}`] = v;
    meta[`__meta_kubernetes_service_labelpresent_${name}`] = 'true';
  }
  return job.relabel_configs.every((step) => {
    if (step.action !== 'keep' && step.action !== 'drop') return true;
    const value = (step.source_labels ?? []).map((l) => meta[l] ?? '').join(step.separator ?? ';');
    const matches = new RegExp(`^(?:${step.regex ?? '(.*)'})$`).test(value);
    return step.action === 'keep' ? matches : !matches;
  });
}

describe('the ServiceMonitor and the bundled Prometheus operator', () => {
  it('is paired in the README with the objects of the monitored sample', () => {
    expect(readmeObjects('### Scraping etcd with the bundled Prometheus operator')).toEqual(sample);
  });

  it('is selected by the Prometheus of the monitored sample', () => {
    expect(selectForPrometheus(prometheus, 'ServiceMonitor', [monitor], new Map())).toEqual([monitor]);
  });

  it("becomes a job over the cluster's namespace that scrapes /metrics over plain HTTP", () => {
    const job = scrapeJob();
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'endpoints', namespaces: { names: ['default'] } }]);
    expect(job).toMatchObject({ scheme: 'http', metrics_path: '/metrics' });
  });

  it("is taken by a Prometheus in another namespace that looks in every namespace, and discovers only the cluster's", () => {
    const central: Prometheus = {
      ...prometheus,
      metadata: { name: 'central', namespace: 'monitoring' },
      spec: { ...prometheus.spec, serviceMonitorNamespaceSelector: {} },
    };
    const namespaces = new Map([
      ['default', {}],
      ['monitoring', {}],
    ]);
    expect(selectForPrometheus(central, 'ServiceMonitor', [monitor], namespaces)).toEqual([monitor]);
    expect(scrapeJob(central).kubernetes_sd_configs).toEqual([
      { role: 'endpoints', namespaces: { names: ['default'] } },
    ]);
  });

  it("keeps only the peer Service's metrics port, which is each member's metrics listener", () => {
    const job = scrapeJob();
    const peer = peerService(cluster);
    const ports = peer.spec.ports ?? [];
    expect(ports.map((p) => p.name).filter((name) => kept(job, peer, name ?? ''))).toEqual(['metrics']);
    const client = clientService(cluster);
    for (const p of client.spec.ports ?? []) expect(kept(job, client, p.name ?? '')).toBe(false);

    const metricsPort = ports.find((p) => p.name === 'metrics')?.targetPort;
    const member = memberPod(cluster, 'main-abcde', {
      state: 'new',
      initialCluster: ['main-abcde=http://me'],
    });
    const container = member.spec.containers[0]!;
    expect(container.ports).toContainEqual({ name: 'metrics', containerPort: metricsPort });
    expect(container.args).toContain(`--listen-metrics-urls=http://0.0.0.0:${String(metricsPort)}`);
  });
});
