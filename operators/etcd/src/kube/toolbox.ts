// A shell for containers of the etcd image. The etcd image holds etcd,
// etcdctl and etcdutl and nothing else (no shell, no coreutils), like the
// upstream distroless images. Snapshot Jobs and the restore of a seed member
// need a few steps around those tools (write to a temporary name and rename,
// checksum, skip a restore whose data is already there), so an init container
// copies a static busybox with its applet links into an emptyDir, and the
// etcd-image container runs `/tools/sh -c ...` with /tools on its PATH.
import type { V1Container, V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';

import { restrictedContainerSecurityContext } from './pod-security.js';

/** Image of the init container that provides the shell (a static busybox). */
export const TOOLS_IMAGE = 'docker.io/library/busybox:1.37';
/** Where the tools (and scratch files) are mounted. */
export const TOOLS_DIR = '/tools';
const VOLUME = 'tools';

/** The emptyDir volume holding the tools. */
export function toolsVolume(): V1Volume {
  return { name: VOLUME, emptyDir: {} };
}

/** Mount of the tools volume. */
export function toolsMount(): V1VolumeMount {
  return { name: VOLUME, mountPath: TOOLS_DIR };
}

/** PATH for a container that uses the tools: the etcd binaries first, then busybox's applets. */
export function toolsPath(): V1EnvVar {
  return { name: 'PATH', value: `/usr/local/bin:${TOOLS_DIR}` };
}

/** The init container that installs busybox and its applet links into the tools volume. */
export function toolsInitContainer(): V1Container {
  return {
    name: 'tools',
    image: TOOLS_IMAGE,
    command: [
      '/bin/busybox',
      'sh',
      '-c',
      `cp /bin/busybox ${TOOLS_DIR}/busybox && ${TOOLS_DIR}/busybox --install -s ${TOOLS_DIR}`,
    ],
    volumeMounts: [toolsMount()],
    securityContext: restrictedContainerSecurityContext(),
  };
}

/** A command running `script` in the tools' shell, failing on the first error. */
export function toolsShell(script: string): string[] {
  return [`${TOOLS_DIR}/sh`, '-c', `set -eu\n${script}`];
}
