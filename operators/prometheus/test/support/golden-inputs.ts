// Loads a golden case's input file: Kubernetes objects as multi-document
// YAML, turned into what the controller would hand to config generation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { PodMonitor, Prometheus, PrometheusRule, ServiceMonitor } from '../../src/api/index.js';
import type { AssetData } from '../../src/config/asset-store.js';
import { PACKAGE_ROOT } from './golden.js';

/** The objects of one golden case, by kind. */
export interface GoldenCase {
  prometheus: Prometheus;
  serviceMonitors: ServiceMonitor[];
  podMonitors: PodMonitor[];
  rules: PrometheusRule[];
  namespaces: Map<string, Record<string, string>>;
  secrets: Map<string, AssetData>;
  configMaps: Map<string, AssetData>;
  ruleConfigMapNames: string[];
}

interface LooseObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  ruleConfigMapNames?: string[];
}

/** Reads `testdata/<dir>/<name>.input.yaml`. */
export function loadGoldenCase(dir: string, name: string): GoldenCase {
  const text = readFileSync(join(PACKAGE_ROOT, 'testdata', dir, `${name}.input.yaml`), 'utf8');
  const docs = parseAllDocuments(text).map((d) => d.toJS() as LooseObject);
  const of = <T>(kind: string): T[] => docs.filter((d) => d.kind === kind) as T[];
  const key = (d: LooseObject): string => `${d.metadata?.namespace ?? ''}/${d.metadata?.name ?? ''}`;
  const secrets = new Map<string, AssetData>();
  for (const s of of<LooseObject>('Secret')) {
    const decoded = Object.fromEntries(
      Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
    secrets.set(key(s), { ...decoded, ...s.stringData });
  }
  const prometheus = of<Prometheus>('Prometheus')[0];
  if (prometheus === undefined) throw new Error(`${name}: no Prometheus`);
  return {
    prometheus,
    serviceMonitors: of<ServiceMonitor>('ServiceMonitor'),
    podMonitors: of<PodMonitor>('PodMonitor'),
    rules: of<PrometheusRule>('PrometheusRule'),
    namespaces: new Map(
      of<LooseObject>('Namespace').map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]),
    ),
    secrets,
    configMaps: new Map(of<LooseObject>('ConfigMap').map((c) => [key(c), c.data ?? {}])),
    ruleConfigMapNames: of<LooseObject>('GoldenInputs')[0]?.ruleConfigMapNames ?? [],
  };
}
