// The JSON shapes of the built-in kinds the operator writes and reads, on top
// of core's KubeObject (timestamps are strings on the wire; the
// @kubernetes/client-node model classes use Date, so only their spec types
// are borrowed).
import type {
  V1PersistentVolumeClaimSpec,
  V1PersistentVolumeSpec,
  V1PodDisruptionBudgetSpec,
  V1PodSpec,
  V1ServiceSpec,
} from '@kubernetes/client-node';
import type { KubeObject } from '@switchboard/core';

/** A Pod (the fields the operator reads from status). */
export interface Pod extends KubeObject {
  spec: V1PodSpec;
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; restartCount: number; ready: boolean; image?: string }[];
    initContainerStatuses?: InitContainerStatus[];
  };
}

/** What the kubelet reports about an init container (the fields the operator reads). */
export interface InitContainerStatus {
  name: string;
  restartCount: number;
  state?: { terminated?: ContainerTerminated; waiting?: { reason?: string } };
  lastState?: { terminated?: ContainerTerminated };
}

interface ContainerTerminated {
  exitCode: number;
  reason?: string;
  /** The termination message (with FallbackToLogsOnError: the log's tail on failure). */
  message?: string;
}

/** A PersistentVolumeClaim. */
export interface PersistentVolumeClaim extends KubeObject {
  spec: V1PersistentVolumeClaimSpec;
}

/** A PersistentVolume (its nodeAffinity says which node a local volume lives on). */
export interface PersistentVolume extends KubeObject {
  spec: V1PersistentVolumeSpec;
}

/** A Node (the fields the operator reads: its hostname label and Ready condition). */
export interface Node extends KubeObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** A Service. */
export interface Service extends KubeObject {
  spec: V1ServiceSpec;
}

/** A policy/v1 PodDisruptionBudget. */
export interface PodDisruptionBudget extends KubeObject {
  spec: V1PodDisruptionBudgetSpec;
}

/** `apiVersion`/`kind` of each. */
export const PodType = { apiVersion: 'v1', kind: 'Pod' } as const;
export const PvcType = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' } as const;
export const PvType = { apiVersion: 'v1', kind: 'PersistentVolume' } as const;
export const NodeType = { apiVersion: 'v1', kind: 'Node' } as const;
export const ServiceType = { apiVersion: 'v1', kind: 'Service' } as const;
export const PdbType = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' } as const;

/** An object as the operator builds it: kind and full identity always set (what server-side apply needs). */
export type Built<T extends KubeObject> = T & {
  apiVersion: string;
  kind: string;
  metadata: T['metadata'] & { name: string; namespace: string };
};

/** A core/v1 Secret (values base64 in `data`). */
export interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

/** `apiVersion`/`kind` of Secrets. */
export const SecretType = { apiVersion: 'v1', kind: 'Secret' } as const;
