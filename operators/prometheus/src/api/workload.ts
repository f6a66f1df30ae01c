// Pod-level settings shared by Prometheus and Alertmanager: compute
// resources and storage. Only the fields this operator passes on are typed.

/** Compute resources of a container (corev1.ResourceRequirements). */
export interface ResourceRequirements {
  limits?: Record<string, string | number>;
  requests?: Record<string, string | number>;
}

/** The spec of a PersistentVolumeClaim template (the fields we pass through). */
export interface PersistentVolumeClaimSpec {
  accessModes?: string[];
  storageClassName?: string;
  volumeMode?: string;
  resources?: ResourceRequirements;
}

/** A PVC template embedded in a spec, as the reference's `volumeClaimTemplate`. */
export interface EmbeddedPersistentVolumeClaim {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PersistentVolumeClaimSpec;
}

/**
 * Where data lives: a PVC per replica (`volumeClaimTemplate`), an `emptyDir`,
 * or (neither set) an emptyDir with defaults.
 */
export interface StorageSpec {
  emptyDir?: { medium?: string; sizeLimit?: string };
  volumeClaimTemplate?: EmbeddedPersistentVolumeClaim;
}

/** Replica counts every workload status reports (prometheus-operator's names). */
export interface WorkloadStatus {
  paused?: boolean;
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
}
