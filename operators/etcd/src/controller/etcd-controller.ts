// Wires the EtcdCluster reconciler into a core Manager with the builder: it
// reconciles EtcdClusters, owns their Pods, PVCs, Services and PDBs (a change
// to any of them requeues the owning cluster), and records Events through
// core's recorder.
import type { Manager, ReconcileOutcome } from '@switchboard/core';
import { EventRecorder, annotationsChanged, generationChanged, or } from '@switchboard/core';

import { EtcdClusterResource } from '../api/crd.js';
import type { EtcdClientFactory } from '../etcd/etcd-client.js';
import { gatewayClientFactoryClosedWith } from '../etcd/gateway-client.js';
import { PdbType, PodType, PvcType, ServiceType } from '../kube/kube-types.js';
import { ServiceMonitorSupport } from '../kube/service-monitor.js';
import type { ClusterMetricsSink } from '../metrics/operator-metrics.js';
import { EtcdClusterMetrics } from '../metrics/operator-metrics.js';
import { defaultMemberAddressing } from '../runbook/member-names.js';
import type { MemberAddressing } from '../runbook/member-names.js';
import type { EventSink } from './step-context.js';
import type { ResyncIntervals } from './resync.js';
import { reconcileEtcdCluster } from './reconcile-cluster.js';

/** Name of the controller (metrics label, events' reporting controller). */
export const ETCD_CONTROLLER_NAME = 'etcdcluster';

/** Options of {@link addEtcdController}. */
export interface EtcdControllerOptions {
  /** How to reach a member's endpoint (default: {@link gatewayClientFactoryClosedWith}: closed when the manager stops, 5 s timeout). */
  etcd?: EtcdClientFactory;
  /** Clusters reconciled at once (default 4; one cluster is never reconciled twice at once). */
  maxConcurrentReconciles?: number;
  resync?: ResyncIntervals;
  /**
   * How to reach members: `dns` (their names under the headless Service) or
   * `pod-ip`. Default {@link defaultMemberAddressing}: `dns` when the operator
   * runs in a Pod, `pod-ip` on a host, which cannot resolve cluster names.
   */
  memberAddressing?: MemberAddressing;
  /** Where cluster metrics go (default {@link EtcdClusterMetrics} on `manager.registry`). */
  metrics?: ClusterMetricsSink;
  /**
   * ServiceMonitors: kept per cluster while monitoring.coreos.com/v1 is served
   * (default: discovery asked at most once a minute); `false` never creates one.
   */
  serviceMonitors?: ServiceMonitorSupport | false;
  /**
   * Image a seed restored from an S3 backup downloads the snapshot with: it
   * must hold this operator's `fetch-snapshot` command. Default
   * `DEFAULT_TOOLBOX_IMAGE` (kube/member-pod.ts), the image config/manager deploys.
   */
  toolboxImage?: string;
}

/**
 * Adds the EtcdCluster controller to a manager.
 *
 * @example
 * ```ts
 * const manager = new Manager({ namespace: 'etcd' });
 * addEtcdController(manager);
 * await manager.start(shutdownSignal());
 * ```
 */
export function addEtcdController(manager: Manager, opts: EtcdControllerOptions = {}): void {
  const etcd = opts.etcd ?? gatewayClientFactoryClosedWith(manager);
  const addressing = opts.memberAddressing ?? defaultMemberAddressing();
  manager.logger.info('reaching etcd members', { by: addressing });
  const recorder = new EventRecorder(manager.client, {
    reportingController: 'etcd.switchboard.dev/etcd-operator',
    logger: manager.logger,
  });
  const metrics = opts.metrics ?? new EtcdClusterMetrics(manager.registry);
  const serviceMonitors =
    opts.serviceMonitors === false
      ? undefined
      : (opts.serviceMonitors ?? new ServiceMonitorSupport(manager.client));
  const events: EventSink = {
    record: (cluster, type, reason, note) =>
      recorder.record(
        { ...cluster, apiVersion: EtcdClusterResource.apiVersion, kind: EtcdClusterResource.kind },
        { type, reason, action: 'Reconcile', note },
      ),
  };
  let watchingSince: Date | undefined;
  manager
    .controller()
    .named(ETCD_CONTROLLER_NAME)
    // Our own status writes must not trigger passes: the runbook requeues itself.
    // Annotations do (the recover annotation is acted on at once).
    .for(EtcdClusterResource, { predicates: [or(generationChanged, annotationsChanged)] })
    .owns(PodType)
    .owns(PvcType)
    .owns(ServiceType)
    .owns(PdbType)
    .withOptions({ maxConcurrentReconciles: opts.maxConcurrentReconciles ?? 4 })
    .build(async (req, ctx): Promise<ReconcileOutcome> => {
      // Passes run only while this replica leads: the first one is when it began watching.
      watchingSince ??= new Date();
      return reconcileEtcdCluster(
        req,
        {
          client: manager.client,
          etcd,
          events,
          addressing,
          metrics,
          ...(serviceMonitors ? { serviceMonitors } : {}),
          ...(opts.resync ? { resync: opts.resync } : {}),
          ...(opts.toolboxImage ? { toolboxImage: opts.toolboxImage } : {}),
          watchingSince,
          onStep: (_k, step) => ctx.log.info('step', { step: step.kind }),
        },
        ctx.signal,
      );
    });
}
