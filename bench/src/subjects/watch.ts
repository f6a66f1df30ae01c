// Figure 2: every update seen under churn, recorded with the time it reached
// the handler. The driver joins the records with its write acknowledgements.
import { KubeConfig, CoreV1Api, makeInformer } from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { Client, Informer } from '@switchboard/core';
import { RawClient } from '../raw-client.js';
import { CONFIG_MAP } from '../objects.js';
import type { ConfigMap } from '../objects.js';
import { Recorder, emit, stdinClosed } from './protocol.js';
import type { SubjectOptions } from './protocol.js';

export async function switchboardWatch(o: SubjectOptions): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfig);
  const rec = new Recorder(o.records);
  const informer = new Informer<ConfigMap>(Client.fromKubeConfig(kc), CONFIG_MAP, { namespace: o.namespace });
  informer.addHandler({ onUpdate: (_old, obj) => rec.seen(obj.metadata.resourceVersion) });
  informer.start();
  await informer.synced;
  emit({ event: 'ready' });
  await stdinClosed();
  informer.stop();
  emit({ event: 'result', events: rec.flush() });
}

export async function clientNodeWatch(o: SubjectOptions): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfig);
  const api = kc.makeApiClient(CoreV1Api);
  const rec = new Recorder(o.records);
  const informer = makeInformer<V1ConfigMap>(kc, `/api/v1/namespaces/${o.namespace}/configmaps`, () =>
    api.listNamespacedConfigMap({ namespace: o.namespace }),
  );
  informer.on('update', (obj) => rec.seen(obj.metadata?.resourceVersion));
  await informer.start();
  emit({ event: 'ready' });
  await stdinClosed();
  await informer.stop();
  emit({ event: 'result', events: rec.flush() });
}

/** The limit: a bare watch stream, each line parsed only for its type and resourceVersion. */
export async function rawWatch(o: SubjectOptions): Promise<void> {
  const raw = await RawClient.fromKubeconfig(o.kubeconfig);
  const rec = new Recorder(o.records);
  const list = JSON.parse(
    (await raw.expectOk('GET', `/api/v1/namespaces/${o.namespace}/configmaps?limit=1`)).text,
  ) as { metadata: { resourceVersion: string } };
  const abort = new AbortController();
  const path = `/api/v1/namespaces/${o.namespace}/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=3600`;
  const streaming = raw.stream(
    path,
    (line) => {
      const ev = JSON.parse(line) as { type: string; object: ConfigMap };
      if (ev.type === 'MODIFIED') rec.seen(ev.object.metadata.resourceVersion);
    },
    abort.signal,
  );
  emit({ event: 'ready' });
  await stdinClosed();
  abort.abort();
  await streaming;
  raw.close();
  emit({ event: 'result', events: rec.flush() });
}
