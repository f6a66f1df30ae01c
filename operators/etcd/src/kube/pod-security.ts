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
// Caveat: a member whose data was written by an older operator's root
// containers (0700, owned by root) cannot be read by this user; such a
// volume needs its owner changed to MEMBER_UID (or a storage class that
// applies fsGroup) before its Pod is recreated by this version.
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

/** Container-level security context: no capabilities, no escalation, read-only root filesystem. */
export function restrictedContainerSecurityContext(): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
  };
}
