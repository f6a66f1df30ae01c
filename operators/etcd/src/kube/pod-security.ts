// The security context of every Pod the operator makes (member Pods, their
// restore init containers, snapshot Jobs): what the Kubernetes "restricted"
// Pod Security Standard asks, so clusters run in namespaces that enforce it.
//
// - Not root: a fixed numeric user (the kubelet checks runAsNonRoot against
//   it; the images run their binaries as any user). etcd's data folder is
//   the member volume's subfolder `data`, which etcd creates itself (0700);
//   the volume's root must be writable by this user: fsGroup makes it so for
//   emptyDirs and for volume plugins that support ownership management, and
//   local-path-provisioner's hostPath folders are created 0777 (its setup
//   script; fsGroup does not apply to hostPath).
// - No capabilities, no privilege escalation, seccomp RuntimeDefault.
// - A read-only root filesystem: etcd, etcdutl and etcdctl write only to
//   their data or destination folders (their temporary files are created
//   there, not in /tmp), the shell steps to the tools emptyDir.
//
// Data written by an older operator's root containers (0700, owned by root)
// cannot be read by this user on volumes whose plugin does not manage
// ownership (hostPath): a member on such a PVC (no DATA_OWNER_ANNOTATION,
// labels.ts) runs as root instead, still without capabilities, escalation or
// a writable root filesystem (root reads its own 0700 folder through the
// owner bits, no capability needed). Such a Pod is refused in a namespace
// that enforces "restricted", and the refusal is reported (RefusedByAPIServer).
import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

/** The user (and group) every container of the operator's Pods runs as: the common distroless non-root ID. */
export const MEMBER_UID = 65532;

/** Pod-level security context: non-root user and group, fsGroup for the volumes, seccomp RuntimeDefault. */
export function restrictedPodSecurityContext(): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: MEMBER_UID,
    runAsGroup: MEMBER_UID,
    fsGroup: MEMBER_UID,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Pod-level security context of a member whose data an older operator wrote as root. */
export function rootDataPodSecurityContext(): V1PodSecurityContext {
  return { runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } };
}

/** Container-level security context of a member whose data an older operator wrote as root. */
export function rootDataContainerSecurityContext(): V1SecurityContext {
  return { ...restrictedContainerSecurityContext(), runAsNonRoot: false };
}

/** Container-level security context: no capabilities, no escalation, read-only root filesystem. */
export function restrictedContainerSecurityContext(): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
  };
}
