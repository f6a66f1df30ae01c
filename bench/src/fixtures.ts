// The world the subjects measure: namespaces, 1 KiB ConfigMaps, the Widget
// custom resource, and the writers that change them (paced updates for
// latency, a rate-targeted churn). All through the raw client, so the driver
// spends as little CPU as it can on a machine it shares with the subjects.
import type { RawClient } from './raw-client.js';
import { wallMs } from './stats.js';
import { objectName } from './objects.js';

/** 1 KiB of data per ConfigMap, as the issue asks. */
const PAYLOAD = 'x'.repeat(1024);

/** Creates a namespace (no-op when it exists). */
export async function createNamespace(raw: RawClient, name: string): Promise<void> {
  const res = await raw.request('POST', '/api/v1/namespaces', { metadata: { name } });
  if (res.status !== 201 && res.status !== 409) throw new Error(`namespace ${name}: HTTP ${res.status}`);
}

/** Runs `task(i)` for i in [from, to), `concurrency` at a time. */
export async function forEachIndex(
  from: number,
  to: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < to) await task(next++);
    }),
  );
}

/** Creates ConfigMaps cm-<from> .. cm-<to - 1> in `namespace`. */
export async function seedConfigMaps(
  raw: RawClient,
  namespace: string,
  from: number,
  to: number,
): Promise<void> {
  await forEachIndex(from, to, 16, async (i) => {
    await raw.expectOk('POST', `/api/v1/namespaces/${namespace}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: objectName('cm', i), labels: { 'bench.switchboard.dev/set': 'bench' } },
      data: { payload: PAYLOAD, seq: '0' },
    });
  });
}

/** Installs the Widget CRD (status subresource on) and waits until it is served. */
export async function installWidgetCrd(raw: RawClient): Promise<void> {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.bench.switchboard.dev' },
    spec: {
      group: 'bench.switchboard.dev',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', properties: { value: { type: 'integer' } } },
                status: { type: 'object', properties: { observed: { type: 'string' } } },
              },
            },
          },
        },
      ],
    },
  };
  const res = await raw.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  if (res.status !== 201 && res.status !== 409) throw new Error(`CRD: HTTP ${res.status}: ${res.text}`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await raw.request('GET', '/apis/bench.switchboard.dev/v1/widgets?limit=1')).status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the Widget CRD was not served within 30 s');
}

/** Creates widget-<0..n-1> in `namespace`. */
export async function seedWidgets(raw: RawClient, namespace: string, n: number): Promise<void> {
  await forEachIndex(0, n, 16, async (i) => {
    await raw.expectOk('POST', `/apis/bench.switchboard.dev/v1/namespaces/${namespace}/widgets`, {
      apiVersion: 'bench.switchboard.dev/v1',
      kind: 'Widget',
      metadata: { name: objectName('widget', i) },
      spec: { value: i },
    });
  });
}

/** Makes every write of this process unique, so none is a no-op that leaves the resourceVersion alone. */
let writes = 0;

/**
 * One ConfigMap update; resolves with the new resourceVersion and the
 * wall-clock ms at which the write was sent. Lags are measured from the send,
 * not the acknowledgement: a fast watcher sees the event before the writer
 * has read its own response, so ack-based lags go negative and the low
 * percentiles say nothing. Every column includes the API server's commit.
 */
async function touch(raw: RawClient, namespace: string, name: string): Promise<[string, number]> {
  const sent = wallMs();
  const res = await raw.expectOk(
    'PATCH',
    `/api/v1/namespaces/${namespace}/configmaps/${name}`,
    `{"data":{"seq":"${process.pid}-${++writes}"}}`,
    'application/merge-patch+json',
  );
  const rv = /"resourceVersion":"(\d+)"/.exec(res.text)?.[1];
  if (rv === undefined) throw new Error(`no resourceVersion in the answer to PATCH ${name}`);
  return [rv, sent];
}

/**
 * Updates `objects` ConfigMaps round-robin at up to `rate` writes/s for
 * `seconds`, with up to `inFlight` writes outstanding. Returns the
 * writes (resourceVersion -> ms sent) and the rate actually reached.
 */
export async function churn(
  raw: RawClient,
  namespace: string,
  objects: number,
  rate: number,
  seconds: number,
  inFlight = 32,
): Promise<{ acks: Map<string, number>; writesPerSec: number }> {
  const acks = new Map<string, number>();
  const start = performance.now();
  const end = start + seconds * 1000;
  let issued = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (;;) {
        const now = performance.now();
        if (now >= end) return;
        const due = start + (issued * 1000) / rate;
        if (due > now) {
          await new Promise((r) => setTimeout(r, Math.min(due - now, end - now)));
          continue;
        }
        const seq = issued++;
        const [rv, sent] = await touch(raw, namespace, objectName('cm', seq % objects));
        acks.set(rv, sent);
      }
    }),
  );
  return { acks, writesPerSec: acks.size / ((performance.now() - start) / 1000) };
}

/** One update at a time, `rate` per second, for `seconds`: latency without queueing in the driver. */
export async function pacedUpdates(
  raw: RawClient,
  namespace: string,
  objects: number,
  rate: number,
  seconds: number,
): Promise<Map<string, number>> {
  const acks = new Map<string, number>();
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const [rv, sent] = await touch(raw, namespace, objectName('cm', i % objects));
    acks.set(rv, sent);
  }
  return acks;
}
