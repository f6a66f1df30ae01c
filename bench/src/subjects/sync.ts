// Figure 1 and 6: a fresh informer lists every ConfigMap of a namespace.
// Reports the time to synced, peak RSS, and the live heap the cache holds.
import { CoreV1Api, KubeConfig, makeInformer } from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { Client, Informer } from '@switchboard/core';
import { RawClient } from '../raw-client.js';
import { wallMs } from '../stats.js';
import { CONFIG_MAP } from '../objects.js';
import type { ConfigMap } from '../objects.js';
import { emit, liveHeap, peakRss } from './protocol.js';
import type { SubjectOptions } from './protocol.js';

/** The live heap and RSS before the informer exists. */
function baseline(): { heap: number; rss: number } {
  const heap = liveHeap();
  return { heap, rss: process.memoryUsage().rss };
}

/** Settles, then reports what the cache costs once the process is at rest. */
async function report(
  startMs: number,
  syncedMs: number,
  objects: number,
  before: { heap: number; rss: number },
  settleMs: number,
  keep: unknown,
) {
  const peak = peakRss();
  await new Promise((r) => setTimeout(r, settleMs));
  const heap = liveHeap() - before.heap;
  emit({
    event: 'result',
    syncMs: syncedMs - startMs,
    objects,
    peakRssBytes: peak,
    restRssBytes: process.memoryUsage().rss,
    heapBytes: heap,
    baseRssBytes: before.rss,
  });
  return keep; // the cache must stay reachable until measured
}

/** Switchboard's Informer (managedFields dropped by default; `keep` / `metadata` variants). */
export async function switchboardSync(o: SubjectOptions): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfig);
  const client = Client.fromKubeConfig(kc);
  const before = baseline();
  const start = wallMs();
  const informer = new Informer<ConfigMap>(client, CONFIG_MAP, {
    namespace: o.namespace,
    keepManagedFields: o.variant === 'keep',
    metadataOnly: o.variant === 'metadata',
  });
  informer.start();
  await informer.synced;
  const synced = wallMs();
  await report(start, synced, informer.store.list().length, before, o.settleMs ?? 1000, informer);
  informer.stop();
}

/** @kubernetes/client-node's makeInformer over its typed list call. */
export async function clientNodeSync(o: SubjectOptions): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfig);
  const api = kc.makeApiClient(CoreV1Api);
  const before = baseline();
  const start = wallMs();
  const informer = makeInformer<V1ConfigMap>(kc, `/api/v1/namespaces/${o.namespace}/configmaps`, () =>
    api.listNamespacedConfigMap({ namespace: o.namespace }),
  );
  await informer.start();
  const synced = wallMs();
  await report(start, synced, informer.list().length, before, o.settleMs ?? 1000, informer);
  await informer.stop();
}

/** The limit: one unpaged list whose bytes are read and dropped. */
export async function rawList(o: SubjectOptions): Promise<void> {
  const raw = await RawClient.fromKubeconfig(o.kubeconfig);
  const start = wallMs();
  const res = await raw.drain(`/api/v1/namespaces/${o.namespace}/configmaps`);
  const done = wallMs();
  if (res.status !== 200) throw new Error(`list: HTTP ${res.status}`);
  emit({ event: 'result', syncMs: done - start, bytes: res.bytes, peakRssBytes: peakRss() });
  raw.close();
}
