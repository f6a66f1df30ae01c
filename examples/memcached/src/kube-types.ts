// The JSON shapes of the built-in kinds the operator writes and reads, on top
// of core's KubeObject. Spec types come from @kubernetes/client-node; status
// fields are declared here because its model classes use Date for times.
import type { V1DeploymentSpec, V1ServiceSpec } from '@kubernetes/client-node';
import type { KubeObject } from '@switchboard/core';

/** An apps/v1 Deployment (the status fields the operator reads). */
export interface Deployment extends KubeObject {
  spec: V1DeploymentSpec;
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
  };
}

/** A v1 Service. */
export interface Service extends KubeObject {
  spec: V1ServiceSpec;
}

/** A v1 Pod (metadata is all the operator reads). */
export type Pod = KubeObject;

export const DeploymentType = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;
export const ServiceType = { apiVersion: 'v1', kind: 'Service' } as const;
export const PodType = { apiVersion: 'v1', kind: 'Pod' } as const;
