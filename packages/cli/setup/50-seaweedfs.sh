#!/usr/bin/env bash
# Builds SeaweedFS's `weed` (CGO_ENABLED=0, static): the S3-compatible object
# store the etcd operator's S3 backup tests run against (its Apache-2.0
# licence, unlike MinIO's server, lets the test suite use it).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/go-wrapper.sh"
source "$(dirname "$0")/versions.env"

mkdir -p "$SWITCHBOARD_CACHE"
exec 9>"$SWITCHBOARD_CACHE/.seaweedfs-build.lock"
flock 9

out="$SWITCHBOARD_CACHE/seaweedfs/v$SEAWEEDFS_VERSION/bin"
if ! have_all "$out" weed; then
  say seaweedfs "building v$SEAWEEDFS_VERSION (several minutes cold)"
  # The module's go.mod has a replace line (which a wrapper module would not
  # inherit), so build inside the downloaded module itself, read-only: its
  # go.sum pins every dependency.
  ( src=$(module_dir "github.com/seaweedfs/seaweedfs@v$SEAWEEDFS_VERSION")
    [ -d "$src" ] || { echo "could not download seaweedfs v$SEAWEEDFS_VERSION" >&2; exit 1; }
    mkdir -p "$out.tmp"
    timed "go build" env CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -C "$src" -trimpath \
      -ldflags "-s -w -X github.com/seaweedfs/seaweedfs/weed/util/version.COMMIT=${SEAWEEDFS_VERSION##*-}" \
      -o "$out.tmp/weed" ./weed
    rm -rf "$out" && mv "$out.tmp" "$out" )
fi
