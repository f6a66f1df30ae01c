#!/usr/bin/env bash
# Builds the real node stack that runs pods for the local cluster, each from
# its published Go module in a wrapper module of its own (see go-wrapper.sh):
# containerd (+ shim, ctr), runc (seccomp), the CNI plugins, crictl, the pause
# program, a registry (distribution), crane, CoreDNS and local-path-provisioner.
# The kubelet and kube-proxy come from 10-kubernetes.sh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/go-wrapper.sh"

# Two bootstraps at once (a person and a test run) wait for each other here
# rather than building into the same folders.
mkdir -p "$SWITCHBOARD_CACHE"
exec 9>"$SWITCHBOARD_CACHE/.node-build.lock"
flock 9

source "$(dirname "$0")/versions.env"

# gobuild OUT_DIR ENV... -- GO_BUILD_ARGS... : builds into a temporary folder
# and moves it into place, so an interrupted build never looks cached.
gobuild() {
  local out=$1; shift
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  timed "go build" env "${envs[@]}" go build -trimpath -o "$out.tmp/" "$@"
  rm -rf "$out" && mv "$out.tmp" "$out"
}

c=$SWITCHBOARD_CACHE

# containerd. Pure Go (CGO off drops only the btrfs snapshotter, unused here).
out="$c/containerd/v$CONTAINERD_VERSION/bin"
if ! have_all "$out" containerd containerd-shim-runc-v2 ctr; then
  say containerd "building v$CONTAINERD_VERSION (about 1 min cold)"
  m=github.com/containerd/containerd/v2
  go_wrapper "containerd-v$CONTAINERD_VERSION" "$m@v$CONTAINERD_VERSION" -- "$m/cmd/containerd" "$m/cmd/containerd-shim-runc-v2" "$m/cmd/ctr"
  gobuild "$out" CGO_ENABLED=0 -- -ldflags "-s -w -X $m/version.Version=v$CONTAINERD_VERSION -X $m/version.Revision=release" \
    "$m/cmd/containerd" "$m/cmd/containerd-shim-runc-v2" "$m/cmd/ctr"
fi

# runc. Needs cgo (nsenter) and the seccomp tag (libseccomp-dev): without it
# every pod fails with "seccomp not supported".
out="$c/runc/v$RUNC_VERSION/bin"
if ! have_all "$out" runc; then
  say runc "building v$RUNC_VERSION"
  m=github.com/opencontainers/runc
  go_wrapper "runc-v$RUNC_VERSION" "$m@v$RUNC_VERSION" -- "$m"
  gobuild "$out" CGO_ENABLED=1 -- -tags seccomp -ldflags "-s -w -X main.version=$RUNC_VERSION -X main.gitCommit=release" "$m"
fi

# CNI plugins: the bridge with host-local IPAM, loopback, and portmap.
out="$c/cni-plugins/v$CNI_PLUGINS_VERSION/bin"
if ! have_all "$out" bridge host-local loopback portmap; then
  say cni-plugins "building v$CNI_PLUGINS_VERSION"
  m=github.com/containernetworking/plugins
  go_wrapper "cni-plugins-v$CNI_PLUGINS_VERSION" "$m@v$CNI_PLUGINS_VERSION" -- \
    "$m/plugins/main/bridge" "$m/plugins/main/loopback" "$m/plugins/ipam/host-local" "$m/plugins/meta/portmap"
  gobuild "$out" CGO_ENABLED=0 -- -ldflags "-s -w -X $m/pkg/utils/buildversion.BuildVersion=v$CNI_PLUGINS_VERSION" \
    "$m/plugins/main/bridge" "$m/plugins/main/loopback" "$m/plugins/ipam/host-local" "$m/plugins/meta/portmap"
fi

# crictl, to look at a node's containers the way the kubelet sees them.
out="$c/cri-tools/v$CRI_TOOLS_VERSION/bin"
if ! have_all "$out" crictl; then
  say crictl "building v$CRI_TOOLS_VERSION"
  m=sigs.k8s.io/cri-tools
  go_wrapper "cri-tools-v$CRI_TOOLS_VERSION" "$m@v$CRI_TOOLS_VERSION" -- "$m/cmd/crictl"
  gobuild "$out" CGO_ENABLED=0 -- -ldflags "-s -w -X $m/pkg/version.Version=v$CRI_TOOLS_VERSION" "$m/cmd/crictl"
fi

# pause: the sandbox's init process, compiled statically from the C source the
# kubernetes module ships, with the version its Makefile tags the image with.
kube_dir=$(module_dir "k8s.io/kubernetes@v$KUBE_VERSION")
pause_version=$(sed -n 's/^TAG ?= //p' "$kube_dir/build/pause/Makefile")
out="$c/pause/$pause_version/bin"
if ! have_all "$out" pause; then
  say pause "compiling $pause_version"
  mkdir -p "$out"
  gcc -Os -Wall -Werror -static -DVERSION="v$pause_version-switchboard" -o "$out/pause.tmp" "$kube_dir/build/pause/linux/pause.c"
  strip "$out/pause.tmp" && mv "$out/pause.tmp" "$out/pause"
fi

# The local OCI registry that every node's containerd uses as its mirror.
out="$c/registry/v$REGISTRY_VERSION/bin"
if ! have_all "$out" registry; then
  say registry "building distribution v$REGISTRY_VERSION"
  m=github.com/distribution/distribution/v3
  go_wrapper "registry-v$REGISTRY_VERSION" "$m@v$REGISTRY_VERSION" -- "$m/cmd/registry"
  gobuild "$out" CGO_ENABLED=0 -- -ldflags "-s -w -X $m/version.version=v$REGISTRY_VERSION" "$m/cmd/registry"
fi

# crane, which the image builder uses to assemble and push images.
out="$c/crane/v$CRANE_VERSION/bin"
if ! have_all "$out" crane; then
  say crane "building v$CRANE_VERSION"
  m=github.com/google/go-containerregistry
  go_wrapper "crane-v$CRANE_VERSION" "$m@v$CRANE_VERSION" -- "$m/cmd/crane"
  gobuild "$out" CGO_ENABLED=0 -- -ldflags "-s -w -X $m/cmd/crane/cmd.Version=v$CRANE_VERSION" "$m/cmd/crane"
fi

# CoreDNS, the cluster DNS (the module root is its main package).
out="$c/coredns/v$COREDNS_VERSION/bin"
if ! have_all "$out" coredns; then
  say coredns "building v$COREDNS_VERSION (about 4 min cold)"
  m=github.com/coredns/coredns
  go_wrapper "coredns-v$COREDNS_VERSION" "$m@v$COREDNS_VERSION" -- "$m"
  gobuild "$out" CGO_ENABLED=0 -- -ldflags "-s -w -X $m/coremain.GitCommit=v$COREDNS_VERSION" "$m"
fi

# local-path-provisioner, so PersistentVolumeClaims bind to node folders.
out="$c/local-path-provisioner/v$LOCAL_PATH_VERSION/bin"
if ! have_all "$out" local-path-provisioner; then
  say local-path "building v$LOCAL_PATH_VERSION"
  m=github.com/rancher/local-path-provisioner
  go_wrapper "local-path-provisioner-v$LOCAL_PATH_VERSION" "$m@v$LOCAL_PATH_VERSION" -- "$m"
  gobuild "$out" CGO_ENABLED=0 -- -ldflags "-s -w -X main.VERSION=v$LOCAL_PATH_VERSION" "$m"
fi
