#!/usr/bin/env bash
# Builds Prometheus + promtool, Alertmanager and node_exporter from their Go
# modules (CGO_ENABLED=0, static) for the images the Prometheus operator runs.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/go-wrapper.sh"
source "$(dirname "$0")/versions.env"

mkdir -p "$SWITCHBOARD_CACHE"
exec 9>"$SWITCHBOARD_CACHE/.prometheus-build.lock"
flock 9

# version_ldflags VERSION : Prometheus projects report their version from
# github.com/prometheus/common/version; a plain `go build` leaves it empty.
version_ldflags() {
  local p=github.com/prometheus/common/version
  echo "-s -w -X $p.Version=$1 -X $p.Revision=release -X $p.Branch=release -X $p.BuildUser=switchboard -X $p.BuildDate=19700101-00:00:00"
}

# Prometheus 3.x: module v0.MMm.p is release 3.mm.p.
minor=${PROMETHEUS_MODULE_VERSION#0.}; minor=${minor%%.*}; patch=${PROMETHEUS_MODULE_VERSION##*.}
prom_release="3.$((10#${minor:1})).$patch"
out="$SWITCHBOARD_CACHE/prometheus/v$prom_release/bin"
if ! have_all "$out" prometheus promtool; then
  say prometheus "building v$prom_release (about 6 min cold)"
  ( go_wrapper "prometheus-v$PROMETHEUS_MODULE_VERSION" "github.com/prometheus/prometheus@v$PROMETHEUS_MODULE_VERSION" -- \
      github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus/cmd/promtool
    mkdir -p "$out.tmp"
    timed "go build" env CGO_ENABLED=0 go build -trimpath -ldflags "$(version_ldflags "$prom_release")" -o "$out.tmp/" \
      github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus/cmd/promtool
    rm -rf "$out" && mv "$out.tmp" "$out" )
fi

out="$SWITCHBOARD_CACHE/node-exporter/v$NODE_EXPORTER_VERSION/bin"
if ! have_all "$out" node_exporter; then
  say node_exporter "building v$NODE_EXPORTER_VERSION"
  ( go_wrapper "node-exporter-v$NODE_EXPORTER_VERSION" "github.com/prometheus/node_exporter@v$NODE_EXPORTER_VERSION" -- \
      github.com/prometheus/node_exporter
    mkdir -p "$out.tmp"
    timed "go build" env CGO_ENABLED=0 go build -trimpath -ldflags "$(version_ldflags "$NODE_EXPORTER_VERSION")" \
      -o "$out.tmp/node_exporter" github.com/prometheus/node_exporter
    rm -rf "$out" && mv "$out.tmp" "$out" )
fi

# Alertmanager's module lacks the UI bundle its `//go:embed app/dist` needs:
# build from a copy of the module's source with a placeholder page there.
out="$SWITCHBOARD_CACHE/alertmanager/v$ALERTMANAGER_VERSION/bin"
if ! have_all "$out" alertmanager; then
  say alertmanager "building v$ALERTMANAGER_VERSION"
  ( src=$(module_dir "github.com/prometheus/alertmanager@v$ALERTMANAGER_VERSION")
    [ -d "$src" ] || { echo "could not download alertmanager v$ALERTMANAGER_VERSION" >&2; exit 1; }
    work="$SWITCHBOARD_CACHE/build/alertmanager-v$ALERTMANAGER_VERSION"
    rm -rf "$work" && mkdir -p "$work" && cp -r "$src/." "$work/" && chmod -R u+w "$work"
    mkdir -p "$work/ui/app/dist"
    echo '<!doctype html><title>Alertmanager</title><p>The web UI is not part of this build; use the API under /api/v2.</p>' \
      > "$work/ui/app/dist/index.html"
    cd "$work"
    go mod download >/dev/null
    mkdir -p "$out.tmp"
    timed "go build" env CGO_ENABLED=0 go build -trimpath -ldflags "$(version_ldflags "$ALERTMANAGER_VERSION")" \
      -o "$out.tmp/alertmanager" ./cmd/alertmanager
    rm -rf "$out" && mv "$out.tmp" "$out" )
fi
