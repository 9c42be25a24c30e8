#!/usr/bin/env bash
# pg.sh runs a throwaway PostgreSQL cluster for the hub's tests and the demo,
# with Debian's postgresql (/usr/lib/postgresql/<version>/bin).
#
#   scripts/pg.sh start       make a cluster in a new temporary folder, start it, print its URL
#   scripts/pg.sh url         print the running cluster's URL
#   scripts/pg.sh stop        stop it and delete its folder
#   scripts/pg.sh run CMD...  start a cluster of its own, run CMD with PAYDESK_PG set to its
#                             URL, stop it whatever CMD did, exit with CMD's status; without
#                             PostgreSQL CMD runs without PAYDESK_PG (the hub's tests skip);
#                             when PAYDESK_PG is already set, CMD runs against that server
#
# The cluster listens on a unix socket in its own folder (mode 0700), no TCP,
# and trusts the local connections that can reach that socket: its owner's
# (and root's). PostgreSQL refuses to run as root, so under root the cluster
# runs as the system user postgres (PAYDESK_PG_USER to choose another).
# It is made for tests: fsync is off (PAYDESK_PG_FSYNC=on to keep it).
# start/url/stop keep the folder's name in a state file per checkout
# (PAYDESK_PG_STATE to choose it), so two checkouts never share a cluster.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
state="${PAYDESK_PG_STATE:-${TMPDIR:-/tmp}/paydesk-pg-$(id -u)-$(printf '%s' "$root" | cksum | cut -d' ' -f1).state}"

die() { echo "pg: $*" >&2; exit 1; }

# bindir finds the newest installed PostgreSQL's programs.
bindir() {
  if [[ -n "${PAYDESK_PG_BIN:-}" ]]; then
    [[ -x "$PAYDESK_PG_BIN/initdb" ]] || die "PAYDESK_PG_BIN=$PAYDESK_PG_BIN holds no initdb"
    echo "$PAYDESK_PG_BIN"
    return
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [[ -n "$d" && -x "$d/initdb" ]]; then
    echo "$d"
  fi
}

# as runs a command as the cluster's owner.
as() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u "$owner" -- "$@"
  else
    "$@"
  fi
}

url_of() { # dir
  echo "postgres://${2}@/postgres?host=$1&port=5432&sslmode=disable"
}

start() { # prints the folder
  local bin dir
  bin=$(bindir)
  [[ -n "$bin" ]] || die "PostgreSQL is not installed (bash scripts/deps.sh --test installs Debian's postgresql)"
  owner="${PAYDESK_PG_USER:-$(id -un)}"
  if [[ $(id -u) -eq 0 && -z "${PAYDESK_PG_USER:-}" ]]; then
    owner=postgres
  fi
  id "$owner" >/dev/null 2>&1 || die "no system user $owner to run PostgreSQL as (PAYDESK_PG_USER)"
  dir=$(mktemp -d "${TMPDIR:-/tmp}/paydesk-pg.XXXXXX")
  chmod 0700 "$dir"
  [[ $(id -u) -eq 0 ]] && chown "$owner" "$dir"
  as "$bin/initdb" -D "$dir/data" -U "$owner" --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"; }
  local fsync="${PAYDESK_PG_FSYNC:-off}"
  as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses= -c unix_socket_directories=$dir -c port=5432 -c fsync=$fsync -c synchronous_commit=$fsync -c full_page_writes=$fsync -c max_connections=200" \
    start >/dev/null 2>&1 ||
    { cat "$dir/server.log" >&2 2>/dev/null; rm -rf "$dir"; die "the server did not start"; }
  printf '%s\n%s\n%s\n' "$dir" "$owner" "$bin" >"$dir/cluster"
  echo "$dir"
}

stop_dir() { # dir
  local dir="$1" bin
  [[ -f "$dir/cluster" ]] || die "$dir is not a cluster of pg.sh"
  owner=$(sed -n 2p "$dir/cluster")
  bin=$(sed -n 3p "$dir/cluster")
  as "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
start)
  if [[ -f "$state" ]] && dir=$(cat "$state") && [[ -f "$dir/cluster" ]]; then
    die "a cluster is already running in $dir (scripts/pg.sh stop first)"
  fi
  dir=$(start)
  echo "$dir" >"$state"
  url_of "$dir" "$(sed -n 2p "$dir/cluster")"
  ;;
url)
  [[ -f "$state" ]] || die "no cluster is running (scripts/pg.sh start)"
  dir=$(cat "$state")
  [[ -f "$dir/cluster" ]] || die "the cluster in $dir is gone (scripts/pg.sh start)"
  url_of "$dir" "$(sed -n 2p "$dir/cluster")"
  ;;
stop)
  [[ -f "$state" ]] || die "no cluster is running"
  dir=$(cat "$state")
  rm -f "$state"
  [[ -d "$dir" ]] && stop_dir "$dir"
  ;;
run)
  shift
  [[ "${1:-}" == "--" ]] && shift
  (($# > 0)) || die "run needs a command"
  if [[ -n "${PAYDESK_PG:-}" ]]; then
    exec "$@" # a server of the caller's own
  fi
  if [[ -z "$(bindir)" ]]; then
    echo "pg: PostgreSQL is not installed: the hub's tests skip (bash scripts/deps.sh --test installs it)" >&2
    exec "$@"
  fi
  dir=$(start)
  trap 'stop_dir "$dir"' EXIT
  PAYDESK_PG=$(url_of "$dir" "$(sed -n 2p "$dir/cluster")")
  export PAYDESK_PG
  echo "pg: PostgreSQL for the tests at $PAYDESK_PG" >&2
  status=0
  "$@" || status=$?
  exit "$status"
  ;;
*)
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
  ;;
esac
