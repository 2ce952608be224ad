#!/usr/bin/env bash
# A second Nova API on 127.0.0.1 to which cell1 is down: what a client sees when a cell does
# not answer. Since microversion 2.69 Nova then lists that cell's servers as partial records
# ({id, status: "UNKNOWN", ...}: no name, no metadata), and tests need that answer from the real
# Nova (issue 12, item 4). It runs on a copy of the API database whose cell1 mapping points at
# a closed port; the local cloud's own services, databases and state are not touched.
#
#   scripts/cloud/down-cell-api.sh start NAME   # prints its compute URL: http://127.0.0.1:PORT/v2.1
#   scripts/cloud/down-cell-api.sh stop NAME    # stops it and drops its database copy
#
# The copy holds the instance mappings of the moment it is made: servers booted later are
# unknown to it. NAME (letters, digits, -) keeps parallel runs apart.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

action=${1:-}
name=${2:-}
[[ "$action" == start || "$action" == stop ]] && [[ "$name" =~ ^[a-z0-9-]+$ ]] ||
  die "usage: $0 start|stop NAME (letters, digits, -)"
db="nova_api_down_${name//-/_}"
dir="$STATE/down-cell/$name"
psql_do() { PGOPTIONS=--client-min-messages=warning psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

stop() {
  if [[ -f "$dir/uwsgi.pid" ]]; then
    local pid; pid=$(cat "$dir/uwsgi.pid")
    kill -INT "$pid" 2>/dev/null || true   # uwsgi: SIGTERM would only reload
    for _ in $(seq 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  psql_do -c "drop database if exists $db" postgres >/dev/null
  rm -rf "$dir"
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {
  stop
  mkdir -p "$dir"
  psql_do -c "create database $db" postgres >/dev/null
  pg_dump -h 127.0.0.1 -p "$PG_PORT" -U postgres nova_api | psql_do "$db" >/dev/null
  # A driver that does not exist fails every query at once: to this API, cell1 is down. (A
  # refused connection would do too, but Zed's lister fails re-raising sqlalchemy's error: 500.)
  psql_do -c "update cell_mappings set database_connection = 'postgresql+nodriver://127.0.0.1:1/down' where name = 'cell1'" "$db" >/dev/null
  sed "s|^connection = $PG_URL/nova_api\$|connection = $PG_URL/$db|" "$ETC/nova/nova.conf" >"$dir/nova.conf"
  grep -q "^connection = $PG_URL/$db\$" "$dir/nova.conf" || die "no [api_database] connection to replace in nova.conf"
  cp "$ETC/nova/wsgi.py" "$ETC/nova/api-paste.ini" "$dir/"
  local port; port=$(free_port)
  cat >"$dir/uwsgi.ini" <<EOF
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:$port
wsgi-file = $dir/wsgi.py
master = true
processes = 1
die-on-term = true
add-header = Connection: close
buffer-size = 65535
need-app = true
pidfile = $dir/uwsgi.pid
env = OS_NOVA_CONFIG_DIR=$dir
EOF
  setsid uwsgi --ini "$dir/uwsgi.ini" >>"$dir/uwsgi.log" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 240); do
    kill -0 "$pid" 2>/dev/null || break   # it gave up (need-app): its log says why
    if curl -fs -o /dev/null "http://127.0.0.1:$port/"; then
      echo "http://127.0.0.1:$port/v2.1"
      return 0
    fi
    sleep 0.25
  done
  tail -n 20 "$dir/uwsgi.log" >&2
  stop
  die "the down-cell Nova API did not answer on port $port (log above)"
}

"$action"
