# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables here are used by the scripts that source this
# Shared paths and helpers for scripts/cloud/{up,down,status}.sh.
# Sourced, not run. Everything the local cloud owns lives under $CLOUD
# (.cloud/ in the repo, git-ignored) so that a wipe is one rm -rf.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/scripts/cloud"
CLOUD="$ROOT/.cloud"
ETC="$CLOUD/etc"
LOG="$CLOUD/log"
RUN="$CLOUD/run"
STATE="$CLOUD/state"
CACHE="$CLOUD/cache"
PKGROOT="$CACHE/pkgroot"       # apt-get download'ed debs unpacked here (never installed)
PYLIB="$CLOUD/pylib"           # generated dist-info: entry point of our ML2 driver

# The OpenStack tools need Debian's python and Debian's PATH: the machine puts
# a pyenv python first on PATH and it lacks every OpenStack module.
PY=/usr/bin/python3
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset PYTHONHOME VIRTUAL_ENV || true
export PYTHONPATH="$HERE/py:$PYLIB"
# stevedore caches entry points under $HOME/.cache; keep ours private.
export XDG_CACHE_HOME="$CLOUD/cache/xdg"

PG_PORT=5433
# PostgreSQL refuses to run as root and its user must reach the data dir. A
# clone under a directory that user cannot enter (a 700 home, say) gets its
# cluster in /var/lib/postgresql instead, named after this checkout.
# pg_paths is called again once the packages (and so that user) exist.
PG_ALT="/var/lib/postgresql/nodepool-cloud-$(echo "$CLOUD" | md5sum | cut -c1-8)"
pg_paths() {
  PGDATA="$STATE/pg"; PGLOG="$LOG/postgres.log"
  if [[ -d "$PG_ALT" ]] || { id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; }; then
    PGDATA="$PG_ALT/pg"; PGLOG="$PG_ALT/postgres.log"
  fi
}
pg_paths
PG_URL="postgresql+psycopg2://postgres@127.0.0.1:$PG_PORT"
RABBIT_URL="rabbit://guest:guest@127.0.0.1:5672/"
KEYSTONE_URL="http://127.0.0.1:5000/v3"

# name:port of every HTTP service, in start order.
HTTP_SERVICES=(keystone:5000 glance:9292 placement:8778 nova-api:8774 neutron:9696)
# Every process we start, in start order; down.sh stops them in reverse.
ALL_SERVICES=(postgres rabbitmq keystone glance placement nova-api neutron nova-conductor nova-scheduler nova-compute)

T0=$(date +%s.%N)
STEP_T=$T0

say() { printf '[cloud %6.1fs] %s\n' "$(elapsed "$T0")" "$*"; }
die() { printf '[cloud] ERROR: %s\n' "$*" >&2; exit 1; }
elapsed() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN{printf "%.1f", a-b}'; }

# step NAME: prints how long the previous step took, then announces NAME.
step() {
  local now; now=$(date +%s.%N)
  if [[ -n "${STEP_NAME:-}" ]]; then
    printf '[cloud %6.1fs]   done: %s (%.1fs)\n' "$(elapsed "$T0")" "$STEP_NAME" "$(elapsed "$STEP_T")"
  fi
  STEP_NAME="$1"; STEP_T=$now
  [[ -n "$1" ]] && say "$1 ..."
  return 0
}

pidfile() { echo "$RUN/$1.pid"; }

# pid_of NAME: the live pid of service NAME, or nothing.
pid_of() {
  local f pid
  f=$(pidfile "$1")
  local mark="$CLOUD"
  if [[ "$1" == postgres ]]; then f="$PGDATA/postmaster.pid"; mark="$PGDATA"; fi
  [[ -f "$f" ]] || return 0
  pid=$(head -n1 "$f")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 0
  # a stale pid file may name a recycled pid: only trust a process whose
  # command line or environment mentions our .cloud directory
  if grep -qF "$mark" "/proc/$pid/cmdline" 2>/dev/null || grep -qF "$mark" "/proc/$pid/environ" 2>/dev/null; then
    echo "$pid"
  fi
}

port_of() {
  local s
  for s in "${HTTP_SERVICES[@]}"; do
    [[ "${s%%:*}" == "$1" ]] && { echo "${s##*:}"; return; }
  done
  case "$1" in postgres) echo "$PG_PORT" ;; rabbitmq) echo 5672 ;; esac
}

# http_ok PORT: the service answers its version document (any 2xx/3xx).
http_ok() {
  local code
  code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$1/" || true)
  [[ "$code" =~ ^[23] ]]
}

tcp_ok() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# healthy NAME: cheap check that NAME is running and answering.
healthy() {
  local name=$1 port
  [[ -n "$(pid_of "$name")" ]] || return 1
  port=$(port_of "$name")
  case "$name" in
    postgres) pg_isready -q -h 127.0.0.1 -p "$PG_PORT" ;;
    rabbitmq) tcp_ok 5672 ;;
    nova-conductor|nova-scheduler|nova-compute) return 0 ;;
    *) http_ok "$port" ;;
  esac
}

# log_tail NAME: the end of a service's log, for failure reports.
log_tail() {
  local f="$LOG/$1.log"
  if [[ -f "$f" ]]; then
    echo "----- last 40 lines of $f -----" >&2
    tail -n 40 "$f" >&2
    echo "-----" >&2
  else
    echo "(no log at $f)" >&2
  fi
}

fail_service() { log_tail "$1"; die "service $1 failed: $2"; }
