// Reconciling one Prometheus. The runbook, one pass:
//  1. Read the Prometheus; gone -> nothing to do (owner references let the
//     garbage collector remove what we made). Paused -> record it, stop.
//  2. Read what it selects: namespaces (labels), ServiceMonitors, PodMonitors,
//     PrometheusRules; select them with the Prometheus's selectors.
//  3. Rules: validate, render, pack into ConfigMaps; apply those, then delete
//     surplus ones (new files exist before old ones go, so no pass loses rules).
//     Invalid rules are left out and reported on their own status.
//  4. Read the referenced Secrets/ConfigMaps, generate prometheus.yaml (pure),
//     apply the gzipped config Secret and the TLS assets Secret. Monitors with
//     missing Secrets are left out and named in the Reconciled condition.
//  5. Apply the governing Service and the StatefulSet.
//  6. Recompute status from the StatefulSet and write it.
// Safety: every write is a server-side apply of the full desired object, so a
// pass is idempotent and a crash between steps is repaired by the next pass.
import type { Client, ObjectKey } from '@switchboard/core';
import { isNotFound } from '@switchboard/core';
import type { PodMonitor, Prometheus, PrometheusRule, ServiceMonitor } from '../api/index.js';
import { referencedAssets } from '../config/asset-references.js';
import { AssetStore } from '../config/asset-store.js';
import type { AssetData } from '../config/asset-store.js';
import { generatePrometheusConfig } from '../config/prometheus-config.js';
import { selectForPrometheus } from '../config/selection.js';
import type { ImageSettings } from '../resources/images.js';
import type { ConfigMap, Namespace, Secret, StatefulSet } from '../resources/kube-types.js';
import {
  configSecret,
  prometheusGoverningService,
  ruleConfigMap,
  ruleConfigMapLabels,
  tlsAssetsSecret,
} from '../resources/prometheus-objects.js';
import { prometheusStatefulSet } from '../resources/prometheus-statefulset.js';
import { workloadStatus } from '../resources/workload-status.js';
import type { ReconcileResult } from '../resources/workload-status.js';
import { buildRuleFiles, packRuleConfigMaps } from '../rules/index.js';
import { selectorString } from '../config/label-selector.js';
import {
  CONFIG_MAP,
  NAMESPACE,
  POD_MONITOR,
  PROMETHEUS,
  PROMETHEUS_RULE,
  SECRET,
  SERVICE,
  SERVICE_MONITOR,
  STATEFUL_SET,
} from './monitoring-kinds.js';
import { reportRuleValidity } from './rule-status.js';
import { applyGenerated } from './apply.js';

/** What the Prometheus reconciler needs besides the request. */
export interface PrometheusReconcilerOptions {
  client: Client;
  images: ImageSettings;
  /** Restrict monitors and rules to this namespace (the operator's --namespace). */
  namespace?: string;
  now?: () => Date;
}

function decodeSecret(s: Secret): AssetData {
  return Object.fromEntries(
    Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

/** Runs one reconcile pass for the Prometheus named by `key`. */
export async function reconcilePrometheus(
  key: ObjectKey,
  opts: PrometheusReconcilerOptions,
  signal: AbortSignal,
): Promise<ReconcileResult | undefined> {
  const { client } = opts;
  const req = { signal };
  const apply = applyGenerated(client, signal);

  // 1.
  let prometheus: Prometheus;
  try {
    prometheus = await client.resource<Prometheus>(PROMETHEUS).get(key, req);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const name = prometheus.metadata.name ?? '';
  const namespace = prometheus.metadata.namespace ?? '';
  const stsName = `prometheus-${name}`;
  if (prometheus.spec.paused === true) {
    await client
      .resource<Prometheus>(PROMETHEUS)
      .status.patch(key, { type: 'merge', body: { status: { paused: true } } }, req);
    return { ok: true };
  }

  // 2.
  const scope = opts.namespace === undefined ? {} : { namespace: opts.namespace };
  const [namespaces, serviceMonitors, podMonitors, rules] = await Promise.all([
    client.resource<Namespace>(NAMESPACE).listAll(req),
    client.resource<ServiceMonitor>(SERVICE_MONITOR).listAll({ ...scope, ...req }),
    client.resource<PodMonitor>(POD_MONITOR).listAll({ ...scope, ...req }),
    client.resource<PrometheusRule>(PROMETHEUS_RULE).listAll({ ...scope, ...req }),
  ]);
  const nsLabels = new Map(namespaces.items.map((n) => [n.metadata.name ?? '', n.metadata.labels ?? {}]));
  const selectedSm = selectForPrometheus(prometheus, 'ServiceMonitor', serviceMonitors.items, nsLabels);
  const selectedPm = selectForPrometheus(prometheus, 'PodMonitor', podMonitors.items, nsLabels);
  const selectedRules = selectForPrometheus(prometheus, 'PrometheusRule', rules.items, nsLabels);

  // 3.
  const ruleFiles = buildRuleFiles(selectedRules);
  const packed = packRuleConfigMaps(stsName, ruleFiles.files);
  for (const cm of packed) await apply<ConfigMap>(ruleConfigMap(prometheus, cm));
  const existing = await client
    .resource<ConfigMap>(CONFIG_MAP)
    .list({ namespace, labelSelector: selectorString({ matchLabels: ruleConfigMapLabels(name) }), ...req });
  for (const cm of existing.items) {
    if (!packed.some((p) => p.name === cm.metadata.name))
      await client.resource(CONFIG_MAP).delete({ namespace, name: cm.metadata.name ?? '' }, req);
  }
  await reportRuleValidity(client, selectedRules, ruleFiles.invalid, opts.now?.() ?? new Date(), signal);

  // 4.
  const refs = referencedAssets(prometheus, selectedSm, selectedPm);
  const secrets = new Map<string, AssetData>();
  const configMaps = new Map<string, AssetData>();
  await Promise.all(
    refs.map(async (ref) => {
      try {
        if (ref.kind === 'Secret')
          secrets.set(
            `${ref.namespace}/${ref.name}`,
            decodeSecret(await client.resource<Secret>(SECRET).get(ref, req)),
          );
        else
          configMaps.set(
            `${ref.namespace}/${ref.name}`,
            (await client.resource<ConfigMap>(CONFIG_MAP).get(ref, req)).data ?? {},
          );
      } catch (err) {
        if (!isNotFound(err)) throw err; // a missing one rejects its monitor below
      }
    }),
  );
  let result: ReconcileResult = { ok: true };
  let generated;
  try {
    generated = generatePrometheusConfig({
      prometheus,
      serviceMonitors: selectedSm,
      podMonitors: selectedPm,
      ruleConfigMapNames: packed.map((p) => p.name),
      assets: new AssetStore({ secrets, configMaps }),
    });
  } catch (err) {
    // Missing alerting / remote-write credentials: keep the running config.
    result = {
      ok: false,
      reason: 'InvalidConfiguration',
      message: err instanceof Error ? err.message : String(err),
    };
  }
  if (generated !== undefined) {
    await apply<Secret>(configSecret(prometheus, generated.yaml));
    await apply<Secret>(tlsAssetsSecret(prometheus, generated.tlsAssets));
    if (generated.rejected.length > 0) {
      result = {
        ok: false,
        reason: 'SomeMonitorsRejected',
        message: generated.rejected.map((r) => `${r.kind} ${r.namespace}/${r.name}: ${r.message}`).join('; '),
      };
    }
  }

  // 5.
  await apply(prometheusGoverningService(prometheus), SERVICE);
  const sts = await apply<StatefulSet>(
    prometheusStatefulSet(
      prometheus,
      packed.map((p) => p.name),
      opts.images,
    ),
    STATEFUL_SET,
  );

  // 6.
  const status = workloadStatus({
    desired: prometheus.spec.replicas ?? 1,
    generation: prometheus.metadata.generation,
    paused: false,
    sts,
    result,
    previous: prometheus.status?.conditions,
    now: opts.now?.() ?? new Date(),
  });
  await client.resource<Prometheus>(PROMETHEUS).status.patch(key, { type: 'merge', body: { status } }, req);
  return result;
}
