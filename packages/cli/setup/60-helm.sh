#!/usr/bin/env bash
# Builds `helm` (CGO_ENABLED=0, static) from its Go module: the repository's
# tests lint and render the operators' Helm charts with it and install them
# into the local cluster. Only `switchboard setup --all` runs this step; a
# demo never needs Helm.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/go-wrapper.sh"
source "$(dirname "$0")/versions.env"

mkdir -p "$SWITCHBOARD_CACHE"
exec 9>"$SWITCHBOARD_CACHE/.helm-build.lock"
flock 9

out="$SWITCHBOARD_CACHE/helm/v$HELM_VERSION/bin"
if ! have_all "$out" helm; then
  say helm "building v$HELM_VERSION (about 4 min cold)"
  # Helm's go.mod has no replace lines: build inside the downloaded module,
  # read-only, so its own go.sum pins every dependency (what Helm released).
  # Its Makefile sets the version the same way; without it `helm version`
  # reports only "v4.3".
  ( src=$(module_dir "helm.sh/helm/v4@v$HELM_VERSION")
    [ -d "$src" ] || { echo "could not download helm v$HELM_VERSION" >&2; exit 1; }
    v=helm.sh/helm/v4/internal/version
    mkdir -p "$out.tmp"
    timed "go build" env CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -C "$src" -trimpath \
      -ldflags "-s -w -X $v.version=v$HELM_VERSION -X $v.metadata= -X $v.gitTreeState=clean" \
      -o "$out.tmp/helm" ./cmd/helm
    rm -rf "$out" && mv "$out.tmp" "$out" )
fi
