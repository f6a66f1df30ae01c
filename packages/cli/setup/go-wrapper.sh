# Wrapper-module helpers for the build scripts that build Go programs from
# their published modules. Sourced after lib.sh, not run.
#
# `go install module/cmd@version` refuses modules whose go.mod has replace
# lines, and building several programs from one module graph lets version
# selection pick combinations nobody tested. So each component gets a wrapper
# module of its own that requires exactly the released modules, and a
# build-tagged tools.go importing the main packages so `go mod tidy` records
# every dependency.

# go_wrapper NAME MODULE@VERSION... -- PACKAGE...
#   Writes (once) and tidies a wrapper module in $SWITCHBOARD_CACHE/build/NAME
#   and leaves the shell in that folder.
go_wrapper() {
  local name=$1; shift
  local requires=() pkgs=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do requires+=("$1"); shift; done
  shift
  pkgs=("$@")
  local dir="$SWITCHBOARD_CACHE/build/$name"
  mkdir -p "$dir"
  cd "$dir"
  local gomod
  gomod=$({
    echo "module switchboard.dev/build/$name"
    echo
    echo "go $(go env GOVERSION | sed 's/^go//; s/^\([0-9]*\.[0-9]*\).*/\1/')"
    echo
    local r
    for r in "${requires[@]}"; do echo "require ${r%@*} ${r##*@}"; done
  })
  # Re-tidy only when the requirements changed; a tidied go.mod has more lines.
  if [ ! -f go.mod.in ] || [ "$(cat go.mod.in)" != "$gomod" ] || [ ! -f go.sum ]; then
    printf '%s\n' "$gomod" > go.mod.in
    printf '%s\n' "$gomod" > go.mod
    {
      echo '//go:build tools'
      echo
      echo 'package tools'
      echo
      echo 'import ('
      local p
      for p in "${pkgs[@]}"; do echo "	_ \"$p\""; done
      echo ')'
    } > tools.go
    timed "$name" go mod tidy
  fi
}

# module_dir MODULE@VERSION : the downloaded module's source folder.
module_dir() {
  go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p'
}

# sibling_requires MODULE@VERSION PREFIX : for a module from a multi-module
#   repository whose go.mod replaces its siblings with ../ paths (etcd), prints
#   MODULE@VERSION for each replaced sibling under PREFIX, at the version the
#   module itself requires (the same release, e.g. client/v2 v2.305.35 beside
#   server/v3 v3.5.35).
sibling_requires() {
  local mod=$1 prefix=$2 gomod
  gomod=$(go mod download -json "$mod" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || { echo "could not download $mod" >&2; return 1; }
  local sib
  for sib in $(grep -E "^\s*(replace\s+)?$prefix[^ ]* => \.\./" "$gomod" | sed -E 's/^\s*(replace\s+)?//' | awk '{print $1}'); do
    awk -v m="$sib" '$1 == m && $2 ~ /^v/ {print m "@" $2; exit}' "$gomod"
  done
}
