# Shared helpers for the Go build scripts. Sourced, not run.
# Every artifact is cached by version under $SWITCHBOARD_CACHE so a clean
# checkout (CI) reuses what an earlier run built.
set -euo pipefail

SWITCHBOARD_CACHE="${SWITCHBOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard}"
export SWITCHBOARD_CACHE
export GOFLAGS="${GOFLAGS:--mod=mod}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

# say LABEL TEXT: a progress line for people. The bootstrap runs each build
# step with its output (go's "downloading" lines and all) in a log and the
# terminal on fd 3; the step count and the elapsed time come from it too.
say() {
  local prefix=""
  if [ -n "${SWITCHBOARD_STEP:-}" ]; then
    local t=$(( $(date +%s) - ${SWITCHBOARD_BOOTSTRAP_START:-$(date +%s)} ))
    prefix=$(printf '[%s %3dm%02ds] ' "$SWITCHBOARD_STEP" $((t / 60)) $((t % 60)))
  fi
  if { true >&3; } 2>/dev/null; then
    printf '  %s%-14s %s\n' "$prefix" "$1" "$2" >&3
    # The first line of a step that does work says where its log is.
    if [ -n "${SWITCHBOARD_STEP_LOG:-}" ] && [ -z "${said_log:-}" ]; then
      said_log=1
      printf '  %s%-14s %s\n' "$prefix" "" "log: $SWITCHBOARD_STEP_LOG" >&3
    fi
  else
    printf '  %s%-14s %s\n' "$prefix" "$1" "$2" >&2
  fi
}

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
