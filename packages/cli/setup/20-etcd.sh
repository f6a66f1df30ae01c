#!/usr/bin/env bash
# Builds etcd, etcdctl and etcdutl of the two etcd lines the etcd operator
# manages (3.6 and 3.5), statically (CGO_ENABLED=0) so the image builder can
# put them in an image with nothing else.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/go-wrapper.sh"

# Two bootstraps at once (a person and a test run) wait for each other here
# rather than building into the same folders.
mkdir -p "$SWITCHBOARD_CACHE"
exec 9>"$SWITCHBOARD_CACHE/.etcd-build.lock"
flock 9

source "$(dirname "$0")/versions.env"
read -r -a etcd_versions <<< "$ETCD_VERSIONS"
# SWITCHBOARD_ETCD_NEWEST_ONLY=1: the newest line only (what a local cluster
# and the samples run; `switchboard setup --node`).
if [ "${SWITCHBOARD_ETCD_NEWEST_ONLY:-0}" = 1 ]; then etcd_versions=("${etcd_versions[0]}"); fi

build_etcd() {
  local version=v$1
  local out="$SWITCHBOARD_CACHE/etcd/$version/bin"
  if have_all "$out" etcd etcdctl etcdutl; then return 0; fi
  say etcd "building $version (about 1 min cold)"
  local mods=(go.etcd.io/etcd/server/v3@$version go.etcd.io/etcd/etcdctl/v3@$version go.etcd.io/etcd/etcdutl/v3@$version)
  # server/v3 replaces its sibling modules with ../ paths; require each at the same version.
  mapfile -t -O ${#mods[@]} mods < <(sibling_requires go.etcd.io/etcd/server/v3@$version go.etcd.io/etcd/ | sort -u)
  go_wrapper "etcd-$version" "${mods[@]}" -- go.etcd.io/etcd/server/v3 go.etcd.io/etcd/etcdctl/v3 go.etcd.io/etcd/etcdutl/v3
  local ldflags="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=release"
  mkdir -p "$out.tmp"
  local start=$SECONDS bin pkg
  for bin in etcd:server etcdctl:etcdctl etcdutl:etcdutl; do
    pkg=go.etcd.io/etcd/${bin#*:}/v3
    CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out.tmp/${bin%%:*}" "$pkg"
  done
  rm -rf "$out" && mv "$out.tmp" "$out"
  say "go build" "done in $((SECONDS - start)) s"
}

for v in "${etcd_versions[@]}"; do build_etcd "$v"; done
