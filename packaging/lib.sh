# lib.sh: helpers shared by the packaging scripts (sourced, not run).
# need PKG...   installs the Debian packages not yet present (sudo when not root),
#               as scripts/deps.sh does.
# version       prints the version: $VERSION, else the one in cmd/paydesk/FyneApp.toml.
# gitrev        prints the git revision the build comes from (with -dirty).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIST=${DIST:-$ROOT/dist}
GO=${GO:-go}

need() {
  local missing=() p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  if ! command -v apt-get >/dev/null; then
    echo "packaging: missing ${missing[*]}; install them with your package manager" >&2
    return 1
  fi
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "packaging: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

version() {
  if [[ -n "${VERSION:-}" ]]; then
    echo "$VERSION"
    return
  fi
  sed -n 's/^ *Version *= *"\(.*\)"/\1/p' "$ROOT/cmd/paydesk/FyneApp.toml"
}

gitrev() {
  git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown
}

# ldflags stamps the version into main.version of both commands (a no-op
# until they declare it) and strips the symbol tables.
ldflags() {
  echo "-s -w -X main.version=$(version) -X main.revision=$(gitrev)"
}
