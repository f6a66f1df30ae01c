# Shared helpers for the Go build scripts. Sourced, not run.
# Every artifact is cached by version under $SWITCHBOARD_CACHE so a clean
# checkout (CI) reuses what an earlier run built.
set -euo pipefail

SWITCHBOARD_CACHE="${SWITCHBOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard}"
export SWITCHBOARD_CACHE
export GOFLAGS="${GOFLAGS:--mod=mod}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

say() { printf '  %-14s %s\n' "$1" "$2" >&2; }

# have_all DIR NAME... : true when every named file exists and is executable.
have_all() {
  local dir=$1; shift
  local f
  for f in "$@"; do [ -x "$dir/$f" ] || return 1; done
}

# timed LABEL CMD... : runs CMD, then reports how long it took.
timed() {
  local label=$1; shift
  local start=$SECONDS
  "$@"
  say "$label" "done in $((SECONDS - start)) s"
}
