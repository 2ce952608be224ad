# shellcheck shell=bash
# Start/stop one service at a time. Sourced by up.sh and down.sh after lib.sh.
# Each service runs in its own session (setsid), so its pid is also its
# process-group id and stopping it can take its workers along.

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
DATABASES=(keystone glance placement nova_api nova nova_cell0 neutron)

# conf_hash NAME: what the running service was started from; a change means
# restart it.
conf_hash() {
  local files=()
  case "$1" in
    postgres) echo postgres-1; return ;;
    rabbitmq) files=("$ETC"/rabbitmq/*) ;;
    keystone) files=("$ETC/keystone/keystone.conf" "$ETC/uwsgi/keystone.ini") ;;
    glance) files=("$ETC"/glance/* "$ETC/uwsgi/glance.ini") ;;
    placement) files=("$ETC"/placement/* "$ETC/uwsgi/placement.ini") ;;
    nova-api) files=("$ETC"/nova/* "$ETC/uwsgi/nova-api.ini") ;;
    nova-compute) files=("$ETC/nova/nova-compute.conf" "$HERE/py/launch.py" "$HERE/py/nodepool_cloud/fake_compute.py") ;;
    nova-*) files=("$ETC/nova/nova.conf" "$HERE/py/launch.py") ;;
    neutron) files=("$ETC"/neutron/* "$HERE/py/launch.py" "$HERE/py/nodepool_cloud/ml2_agentless.py") ;;
  esac
  cat "${files[@]}" 2>/dev/null | md5sum | cut -d' ' -f1
}

# launch NAME CMD...: start CMD detached, logging to $LOG/NAME.log.
launch() {
  local name=$1; shift
  local port; port=$(port_of "$name")
  if [[ -n "$port" ]] && tcp_ok "$port"; then
    die "port $port (for $name) is already taken by a process that is not ours: $(ss -ltnp "sport = :$port" 2>/dev/null | tail -n +2)"
  fi
  echo "===== $(date -u +%FT%TZ) starting $name" >>"$LOG/$name.log"
  setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
  conf_hash "$name" >"$RUN/$name.hash"
}

# wait_healthy NAME SECONDS: until it answers; fail (with its log) if it dies.
wait_healthy() {
  local name=$1 limit=$2 t=0
  until healthy "$name"; do
    [[ -n "$(pid_of "$name")" ]] || fail_service "$name" "exited during start-up"
    ((t++ < limit * 4)) || fail_service "$name" "not answering after ${limit}s"
    sleep 0.25
  done
}

# running_current NAME: running, healthy, and started from the current config.
running_current() {
  healthy "$1" && [[ "$(cat "$RUN/$1.hash" 2>/dev/null)" == "$(conf_hash "$1")" ]]
}

# run_logged NAME CMD...: a one-shot command (db sync, ...) logged to
# $LOG/NAME.log; on failure say which and show the log's tail.
run_logged() {
  local name=$1; shift
  echo "===== $(date -u +%FT%TZ) $*" >>"$LOG/$name.log"
  "$@" >>"$LOG/$name.log" 2>&1 || fail_service "$name" "command failed: $*"
}

stop_service() {
  local name=$1 pid
  pid=$(pid_of "$name")
  if [[ -z "$pid" ]]; then rm -f "$(pidfile "$name")" "$RUN/$name.hash"; return 0; fi
  case "$name" in
    postgres)
      runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true ;;
    keystone|glance|placement|nova-api)
      kill -INT "$pid" 2>/dev/null || true ;;   # uwsgi: SIGTERM would only reload
    *)
      kill -TERM "$pid" 2>/dev/null || true ;;  # nova/neutron/rabbit: graceful, 1-3 s
  esac
  local t=0
  # wait for the whole group: uwsgi workers and rabbit's beam outlive a leader
  while pgrep -g "$pid" >/dev/null 2>&1 || kill -0 "$pid" 2>/dev/null; do
    if ((t++ > 120)); then
      say "$name did not stop in 30s: SIGKILL to its process group $pid"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5; break
    fi
    sleep 0.25
  done
  rm -f "$(pidfile "$name")" "$RUN/$name.hash"
}

start_postgres() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [[ -n "$PGBIN" ]] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
  pg_paths
  if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
    rm -rf "$PGDATA"; mkdir -p "$PGDATA"
    [[ "$PGDATA" == "$STATE/pg" ]] || ln -sfn "$PGDATA" "$STATE/pg"   # findable from .cloud
    chown postgres:postgres "$PGDATA"; chmod 700 "$PGDATA"
    # initdb refuses root; trust auth is fine for a cluster bound to 127.0.0.1
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -A trust -U postgres -E UTF8 \
      >"$LOG/postgres-initdb.log" 2>&1 || fail_service postgres-initdb "initdb failed"
  fi
  if ! healthy postgres; then
    touch "$PGLOG"; chown postgres "$PGLOG"
    [[ "$PGLOG" == "$LOG/postgres.log" ]] || ln -sfn "$PGLOG" "$LOG/postgres.log"
    local port; port=$(port_of postgres)
    tcp_ok "$port" && die "port $port (for postgres) is already taken by a process that is not ours"
    # fsync off: a throw-away test cloud on a slow 2-core machine; down.sh
    # stops it cleanly. The socket goes in the data dir, not /run/postgresql.
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 \
      -o "-k $PGDATA -c listen_addresses=127.0.0.1 -p $PG_PORT -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1 || fail_service postgres "pg_ctl start failed"
    wait_healthy postgres 60
    conf_hash postgres >"$RUN/postgres.hash"
  fi
  local have db
  have=$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc 'select datname from pg_database')
  for db in "${DATABASES[@]}"; do
    grep -qx "$db" <<<"$have" || run_logged postgres-admin createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db"
  done
}

start_rabbitmq() {
  running_current rabbitmq && return 0
  stop_service rabbitmq
  mkdir -p "$STATE/rabbitmq"
  # Run the real server script (not /usr/sbin's wrapper, which su's to the
  # rabbitmq user and logs to /var/log) with all state under .cloud.
  launch rabbitmq env HOME="$STATE/rabbitmq" \
    RABBITMQ_NODENAME=nodepool@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=5672 RABBITMQ_DIST_PORT=25672 ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_CONFIG_FILE="$ETC/rabbitmq/rabbitmq.conf" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$ETC/rabbitmq/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$STATE/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$LOG/rabbitmq" \
    RABBITMQ_PID_FILE="$RUN/rabbitmq-beam.pid" \
    /usr/lib/rabbitmq/bin/rabbitmq-server
  # Keystone and the db syncs don't need the bus: wait for it with the APIs.
  STARTING+=(rabbitmq)
}

# ensure_uwsgi NAME [nowait]: (re)start an API under uwsgi unless it is fine
# already. With nowait, only launch it and leave it in STARTING for
# wait_started: the APIs then import their (large) code side by side.
STARTING=()
ensure_uwsgi() {
  local name=$1
  running_current "$name" && return 0
  stop_service "$name"
  launch "$name" uwsgi --ini "$ETC/uwsgi/$name.ini"
  if [[ "${2:-}" == nowait ]]; then STARTING+=("$name"); else wait_healthy "$name" 180; fi
}

wait_started() {
  local s
  for s in "${STARTING[@]}"; do wait_healthy "$s" 240; done
  STARTING=()
}

start_keystone() {
  local conf="$ETC/keystone/keystone.conf"
  if [[ ! -f "$STATE/keystone.synced" ]]; then
    mkdir -p "$STATE/keystone"
    run_logged keystone-manage keystone-manage --config-file "$conf" db_sync
    run_logged keystone-manage keystone-manage --config-file "$conf" fernet_setup \
      --keystone-user root --keystone-group root
    run_logged keystone-manage keystone-manage --config-file "$conf" credential_setup \
      --keystone-user root --keystone-group root
    run_logged keystone-manage keystone-manage --config-file "$conf" bootstrap \
      --bootstrap-password "$ADMIN_PASSWORD" \
      --bootstrap-admin-url "$KEYSTONE_URL/" --bootstrap-internal-url "$KEYSTONE_URL/" \
      --bootstrap-public-url "$KEYSTONE_URL/" --bootstrap-region-id RegionOne
    touch "$STATE/keystone.synced"
  fi
  ensure_uwsgi keystone
  # service project, service users, catalog: needed before the other APIs
  # can validate a token or find each other
  bootstrap_step identity
}

sync_glance() {
  mkdir -p "$STATE/glance/images" "$STATE/glance/tasks" "$STATE/glance/staging"
  run_logged glance-manage "$PY" "$HERE/py/launch.py" glance-manage \
    --config-file "$ETC/glance/glance-api.conf" db_sync
}
start_glance() { ensure_uwsgi glance nowait; }

sync_placement() {
  run_logged placement-manage placement-manage --config-file "$ETC/placement/placement.conf" db sync
}
start_placement() { ensure_uwsgi placement nowait; }

nova_manage() { run_logged nova-manage "$PY" "$HERE/py/launch.py" nova-manage --config-file "$ETC/nova/nova.conf" "$@"; }

sync_nova() {
  mkdir -p "$STATE/nova/instances" "$STATE/nova/lock"
  nova_manage api_db sync
  nova_manage cell_v2 map_cell0 --database_connection "$PG_URL/nova_cell0"
  if [[ "$(sql nova_api "select count(*) from cell_mappings where name='cell1'")" == 0 ]]; then
    nova_manage cell_v2 create_cell --name cell1
  fi
  nova_manage db sync
}
start_nova_api() { ensure_uwsgi nova-api nowait; }

sync_neutron() {
  mkdir -p "$STATE/neutron/lock"
  run_logged neutron-db-manage "$PY" "$HERE/py/launch.py" neutron-db-manage \
    --config-file "$ETC/neutron/neutron.conf" upgrade heads
}

# start_db_syncs: create the schemas of glance, placement, nova and neutron
# side by side in the background (once per state: a marker records it), while
# Keystone is set up; wait_db_syncs collects them and names any that failed.
SYNC_PIDS=()
start_db_syncs() {
  local svc
  for svc in glance placement nova neutron; do
    [[ -f "$STATE/$svc.synced" ]] && continue
    ( "sync_$svc" && touch "$STATE/$svc.synced" ) &
    SYNC_PIDS+=("$svc:$!")
  done
}

wait_db_syncs() {
  local e
  for e in "${SYNC_PIDS[@]}"; do
    wait "${e#*:}" || die "database schema of ${e%%:*} failed (see above and $LOG/)"
  done
  SYNC_PIDS=()
}

start_neutron() {
  running_current neutron && return 0
  stop_service neutron
  launch neutron "$PY" "$HERE/py/launch.py" neutron-server --config-file "$ETC/neutron/neutron.conf"
  STARTING+=(neutron)
}

start_nova_services() {
  local s
  for s in nova-conductor nova-scheduler nova-compute; do
    running_current "$s" && continue
    stop_service "$s"
    local conf="$ETC/nova/nova.conf"
    [[ "$s" == nova-compute ]] && conf="$ETC/nova/nova-compute.conf"
    date +%s >"$RUN/$s.started"
    launch "$s" "$PY" "$HERE/py/launch.py" "$s" --config-file "$conf"
  done
}

# The compute host must report to placement and be mapped into cell1 before
# anything can be scheduled; nova-compute takes 10-30 s to get there. Asking
# the databases directly is instant (nova-manage or the CLI take seconds).
sql() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "$2" "$1" 2>/dev/null || echo 0; }

# compute_fresh: nova-compute has reported in since it was (re)started. After
# a down/up the old service row still exists but is stale, and the scheduler
# would call the host down until the first heartbeat.
compute_fresh() {
  local started; started=$(cat "$RUN/nova-compute.started" 2>/dev/null || echo 0)
  [[ "$(sql nova "select count(*) from services where host='fakehost' and \"binary\"='nova-compute'
        and deleted=0 and extract(epoch from coalesce(updated_at, created_at)) >= $started")" != 0 ]]
}

wait_compute_host() {
  local t=0 s
  until [[ "$(sql nova_api "select count(*) from host_mappings where host='fakehost'")" != 0 &&
           "$(sql placement "select count(*) from inventories")" != 0 ]] && compute_fresh; do
    for s in nova-conductor nova-scheduler nova-compute; do
      [[ -n "$(pid_of "$s")" ]] || fail_service "$s" "exited during start-up"
    done
    ((t++ < 90)) || fail_service nova-compute "compute host not registered and mapped after 3 min"
    # map it as soon as it exists rather than wait for the scheduler's
    # periodic discovery
    if [[ "$(sql nova "select count(*) from compute_nodes where deleted=0")" != 0 &&
          "$(sql nova_api "select count(*) from host_mappings where host='fakehost'")" == 0 ]]; then
      nova_manage cell_v2 discover_hosts
    fi
    sleep 2
  done
}

# bootstrap_step identity|resources: run bootstrap.py unless this state was
# already bootstrapped by this very bootstrap.py (it takes 3-15 s even when
# there is nothing to do; all it makes lives in the databases, kept in state).
bootstrap_step() {
  local marker="$STATE/bootstrap-$1.done" sum
  sum=$(md5sum <"$HERE/py/bootstrap.py")
  if [[ "$(cat "$marker" 2>/dev/null)" == "$sum" && ( "$1" != resources || -f "$CLOUD/clouds.yaml" ) ]]; then
    return 0
  fi
  run_logged bootstrap "$PY" "$HERE/py/bootstrap.py" "$1"
  echo "$sum" >"$marker"
}

bootstrap_resources() { bootstrap_step resources; }

total_rss_mib() {
  local pids=() s p
  for s in "${ALL_SERVICES[@]}"; do
    p=$(pid_of "$s"); [[ -n "$p" ]] && pids+=("$p")
  done
  "$PY" "$HERE/py/nodepool_cloud/proc_tree.py" "${pids[@]}"
}
