#!/usr/bin/env bash
# Builds the Kubernetes binaries (control plane, kubectl, kubelet, kube-proxy)
# from the k8s.io/kubernetes Go module at a pinned release.
#
# k8s.io/kubernetes cannot be `go install`ed: its go.mod replaces its staging
# modules (k8s.io/api, k8s.io/client-go, ...) with ./staging/... paths. We build
# from a wrapper module that requires it and replaces each staging module with
# the published v0.<minor>.<patch> of the same release, reading the list from
# the downloaded module's own go.mod rather than typing it.
source "$(dirname "$0")/lib.sh"

source "$(dirname "$0")/versions.env"
out="$SWITCHBOARD_CACHE/kubernetes/v$KUBE_VERSION/bin"
bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy)
if have_all "$out" "${bins[@]}"; then exit 0; fi

work="$SWITCHBOARD_CACHE/build/kubernetes-v$KUBE_VERSION"
mkdir -p "$work" "$out"
cd "$work"
say kubernetes "building v$KUBE_VERSION (about 10 min cold on 2 cores)"

staging_version="v0.${KUBE_VERSION#*.}"
gomod=$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
[ -f "$gomod" ] || { echo "could not download k8s.io/kubernetes@v$KUBE_VERSION" >&2; exit 1; }

{
  echo "module switchboard.dev/build/kubernetes"
  echo
  echo "go $(go env GOVERSION | sed 's/^go//; s/^\([0-9]*\.[0-9]*\).*/\1/')"
  echo
  echo "require k8s.io/kubernetes v$KUBE_VERSION"
  echo
  grep -E '^\s*k8s.io/[^ ]+ => \./staging/' "$gomod" | awk -v v="$staging_version" '{print "replace " $1 " => " $1 " " v}'
} > go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
timed "go mod tidy" go mod tidy

major=${KUBE_VERSION%%.*}; rest=${KUBE_VERSION#*.}; minor=${rest%%.*}
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
pkgs=()
for b in "${bins[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
timed "go build" env CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out/" "${pkgs[@]}"
du -sh "$out"/* >&2
