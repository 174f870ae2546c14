#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for Balise's tests.
#
#   scripts/postgres.sh [start] [DIR]   install PostgreSQL from Debian if missing, create a
#                                       cluster in DIR (default target/pg) owned by `postgres`,
#                                       listening on 127.0.0.1 only with trust auth, start it,
#                                       wait until ready, print its URL as the last line.
#   scripts/postgres.sh stop [DIR]      stop that cluster.
#
# Idempotent: running start twice reuses the cluster and the running server.
# Environment: BALISE_PG_PORT (default 55432; the next free port is taken if busy).
set -euo pipefail

command="start"
case "${1:-}" in
  start|stop|url) command="$1"; shift ;;
esac
dir="${1:-target/pg}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
data="$dir/data"
port_file="$dir/port"
log="$dir/postgres.log"

log() { echo "postgres.sh: $*" >&2; }

as_postgres() {
  if [ "$(id -un)" = "postgres" ]; then
    "$@"
  elif [ "$(id -u)" = "0" ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    # Not root: run the cluster as ourselves (initdb refuses only root).
    "$@"
  fi
}

find_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

bin="$(find_bin || true)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  if [ "$(id -u)" != "0" ]; then
    log "PostgreSQL is not installed and we are not root: install the 'postgresql' package"
    exit 1
  fi
  log "installing PostgreSQL from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
  bin="$(find_bin)"
fi

if [ "$command" = "stop" ]; then
  if [ -f "$data/postmaster.pid" ]; then
    as_postgres "$bin/pg_ctl" -D "$data" -m fast -w stop >&2 || true
    log "stopped the cluster in $dir"
  else
    log "no cluster running in $dir"
  fi
  exit 0
fi

# The cluster directory must belong to the user that runs the server.
if [ "$(id -u)" = "0" ]; then
  chown postgres:postgres "$dir"
  # The server must reach the directory through its parents (a clone under /root is not
  # reachable by default): open only the search bit, only where it is missing, and say so.
  if ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
    parent="$dir"
    while [ "$parent" != "/" ]; do
      parent="$(dirname "$parent")"
      if ! runuser -u postgres -- test -x "$parent" 2>/dev/null; then
        log "allowing the postgres user to traverse $parent (chmod o+x)"
        chmod o+x "$parent"
      fi
    done
  fi
fi

if [ ! -f "$data/PG_VERSION" ]; then
  log "creating a cluster in $data"
  as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2 \
    || as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --no-locale >&2
fi

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

running() {
  as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

if running && [ -f "$port_file" ]; then
  port="$(cat "$port_file")"
else
  port="${BALISE_PG_PORT:-55432}"
  while ! port_is_free "$port"; do
    port=$((port + 1))
  done
  echo "$port" > "$port_file"
  chmod 644 "$port_file"
  log "starting PostgreSQL on 127.0.0.1:$port"
  # Sockets go in the cluster directory: /var/run/postgresql may not exist on a fresh machine.
  as_postgres "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=on" start >&2
fi

for _ in $(seq 1 60); do
  if "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q; then
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    exit 0
  fi
  sleep 1
done
log "PostgreSQL did not become ready; see $log"
exit 1
