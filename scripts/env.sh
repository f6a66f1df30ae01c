# Sourced by scripts: puts the project's Node, pnpm and the Go-built binaries
# first on PATH. Versions of the built components live here, in one place.
SWITCHBOARD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SWITCHBOARD_TOOLS="$SWITCHBOARD_ROOT/.tools"
SWITCHBOARD_NODE_VERSION=24
SWITCHBOARD_CACHE="${SWITCHBOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard}"
# Messages name the npm scripts of this checkout (switchboardCommand in
# @switchboard/testing), not `npx switchboard`, which a project would run.
SWITCHBOARD_CLI_PREFIX="npm run switchboard --"
export SWITCHBOARD_ROOT SWITCHBOARD_TOOLS SWITCHBOARD_CACHE SWITCHBOARD_CLI_PREFIX
PATH="$SWITCHBOARD_TOOLS/node/bin:$SWITCHBOARD_TOOLS/pnpm/node_modules/.bin:$SWITCHBOARD_ROOT/node_modules/.bin:$PATH"
export PATH
