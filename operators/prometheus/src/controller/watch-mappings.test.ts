import type { KubeObject } from '@switchboard/core';
import type { PodMonitor, Prometheus, ServiceMonitor } from '../api/index.js';
import type { MonitoringCaches } from './watch-mappings.js';
import {
  prometheusesReferencing,
  prometheusesSelecting,
  prometheusesSelectingNamespace,
  workloadsInNamespace,
} from './watch-mappings.js';

const V1 = 'monitoring.coreos.com/v1';

function prometheus(namespace: string, name: string, spec: Prometheus['spec']): Prometheus {
  return { apiVersion: V1, kind: 'Prometheus', metadata: { namespace, name }, spec };
}

function monitor(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  endpoint: ServiceMonitor['spec']['endpoints'][number] = { port: 'web' },
): ServiceMonitor {
  return {
    apiVersion: V1,
    kind: 'ServiceMonitor',
    metadata: { namespace, name, labels },
    spec: { selector: {}, endpoints: [endpoint] },
  };
}

const local = prometheus('mon', 'local', { serviceMonitorSelector: { matchLabels: { team: 'a' } } });
const wide = prometheus('mon', 'wide', {
  serviceMonitorSelector: {},
  serviceMonitorNamespaceSelector: { matchLabels: { scrape: 'yes' } },
});
const none = prometheus('other', 'none', {});

function caches(
  serviceMonitors: ServiceMonitor[] = [],
  namespaces: Record<string, Record<string, string>> = {},
): MonitoringCaches {
  return {
    prometheuses: () => [local, wide, none],
    serviceMonitors: () => serviceMonitors,
    podMonitors: (): PodMonitor[] => [],
    namespaceLabels: () => new Map(Object.entries(namespaces)),
  };
}

const ns = (name: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

describe('watch mappings', () => {
  it('maps a ServiceMonitor to the Prometheus objects whose selectors take it', () => {
    const map = prometheusesSelecting<ServiceMonitor>(
      'ServiceMonitor',
      caches([], { mon: {}, apps: { scrape: 'yes' } }),
    );
    expect(map(monitor('mon', 'm', { team: 'a' }))).toEqual([{ namespace: 'mon', name: 'local' }]);
    expect(map(monitor('apps', 'm', {}))).toEqual([{ namespace: 'mon', name: 'wide' }]);
    expect(map(monitor('mon', 'm', { team: 'b' }))).toEqual([]);
  });

  it('maps a namespace to the Prometheus objects whose namespace selector matches its labels', () => {
    const map = prometheusesSelectingNamespace(caches());
    expect(map(ns('apps', { scrape: 'yes' }))).toEqual([{ namespace: 'mon', name: 'wide' }]);
    // A Prometheus without a namespace selector reads its own namespace only: labels never matter.
    expect(map(ns('mon', {}))).toEqual([]);
  });

  it('maps a Secret to the Prometheus objects whose selected monitors read it', () => {
    const auth = {
      port: 'web',
      basicAuth: { username: { name: 'creds', key: 'u' }, password: { name: 'creds', key: 'p' } },
    };
    const map = prometheusesReferencing(
      'Secret',
      caches([monitor('mon', 'secured', { team: 'a' }, auth)], { mon: {} }),
    );
    const secret = (namespace: string, name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace, name },
    });
    expect(map(secret('mon', 'creds'))).toEqual([{ namespace: 'mon', name: 'local' }]);
    expect(map(secret('mon', 'unrelated'))).toEqual([]);
    expect(map(secret('apps', 'creds'))).toEqual([]);
  });

  it('maps the shared governing Service to every workload of its namespace', () => {
    const map = workloadsInNamespace(() => [local, wide, none], 'prometheus-operated');
    const svc = (name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: 'mon', name },
    });
    expect(map(svc('prometheus-operated'))).toEqual([
      { namespace: 'mon', name: 'local' },
      { namespace: 'mon', name: 'wide' },
    ]);
    expect(map(svc('api'))).toEqual([]);
  });
});
