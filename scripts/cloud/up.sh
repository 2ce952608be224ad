#!/usr/bin/env bash
# Start a local OpenStack (Zed, Debian 12 packages) on 127.0.0.1 for nodepool's
# integration tests: PostgreSQL, RabbitMQ, Keystone, Glance, Placement, Nova
# (fake virt driver) and Neutron's API server, bootstrapped with three nodepool
# projects and written to .cloud/clouds.yaml. Idempotent: a healthy cloud is
# left alone, a half-up one is repaired. See docs/local-cloud.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$HERE/configs.sh"
source "$HERE/services.sh"

PACKAGES=(python3-keystone python3-glance python3-placement python3-nova python3-neutron
  python3-openstackclient python3-psycopg2 python3-yaml uwsgi-core uwsgi-plugin-python3
  postgresql rabbitmq-server curl)
# Only these files are needed from the daemon packages; those packages are not
# installed because their maintainer scripts run debconf/dbconfig and init
# scripts. Our wsgi entry files and launch.py replace their console scripts.
PASTE_FILES=(usr/share/glance-common/glance-api-paste.ini usr/share/nova-common/api-paste.ini
  usr/share/neutron-common/api-paste.ini)
PASTE_DEBS=(glance-common nova-common neutron-common)

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    say "installing ${#missing[@]} Debian packages: ${missing[*]}"
    [[ $(id -u) == 0 ]] || die "packages missing and not root: apt-get install ${missing[*]}"
    apt-get update -qq
    # The distro's own rabbitmq-server would take port 5672 (on every
    # interface) if its package started it: forbid service starts during the
    # install, as this machine image already does, unless a policy exists.
    local own_policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; own_policy=1
    fi
    local rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      >"$LOG/apt.log" 2>&1 || rc=$?
    ((own_policy)) && rm -f /usr/sbin/policy-rc.d
    ((rc == 0)) || { tail -n 30 "$LOG/apt.log" >&2; die "apt-get install failed (log: $LOG/apt.log)"; }
    APT_UPDATED=1
  fi
  local f need=0
  for f in "${PASTE_FILES[@]}"; do [[ -f "$PKGROOT/$f" ]] || need=1; done
  if ((need)); then
    say "fetching paste ini files from ${PASTE_DEBS[*]} (downloaded, not installed)"
    mkdir -p "$CACHE/debs" "$PKGROOT"
    (cd "$CACHE/debs" && apt-get download "${PASTE_DEBS[@]}" >"$LOG/apt-download.log" 2>&1) || {
      [[ -n "${APT_UPDATED:-}" ]] || apt-get update -qq
      (cd "$CACHE/debs" && apt-get download "${PASTE_DEBS[@]}" >"$LOG/apt-download.log" 2>&1)
    } || { cat "$LOG/apt-download.log" >&2; die "apt-get download ${PASTE_DEBS[*]} failed"; }
    local deb
    for deb in "$CACHE"/debs/*.deb; do dpkg -x "$deb" "$PKGROOT"; done
  fi
}

# Random passwords, made once per state (a wipe makes new ones).
ensure_secrets() {
  local f="$CLOUD/secrets.env"
  if [[ ! -f "$f" ]]; then
    local gen='import secrets; print(secrets.token_urlsafe(18))'
    {
      echo "ADMIN_PASSWORD=$($PY -c "$gen")"
      echo "SERVICE_PASSWORD=$($PY -c "$gen")"
    } >"$f.tmp"
    chmod 600 "$f.tmp"; mv "$f.tmp" "$f"
  fi
  # shellcheck disable=SC1090
  source "$f"
}

already_up() {
  local s
  for s in "${ALL_SERVICES[@]}"; do healthy "$s" || return 1; done
  [[ -f "$STATE/bootstrap-resources.done" && -f "$CLOUD/clouds.yaml" ]] || return 1
  # configs unchanged since the services were started
  for s in "${ALL_SERVICES[@]}"; do
    [[ "$(cat "$RUN/$s.hash" 2>/dev/null)" == "$(conf_hash "$s")" ]] || return 1
  done
}

main() {
  mkdir -p "$CLOUD" "$LOG" "$RUN" "$STATE" "$CACHE"
  # The private PostgreSQL runs as user postgres and must reach its data dir.
  chmod 755 "$CLOUD" "$STATE"

  step "packages"
  ensure_packages
  ensure_secrets
  write_all_configs
  if already_up; then
    step ""
    say "local cloud already up and healthy (clouds.yaml: $CLOUD/clouds.yaml)"
    exit 0
  fi

  step "postgresql";  start_postgres
  step "rabbitmq";    start_rabbitmq
  step "database schemas (background)"; start_db_syncs
  step "keystone";    start_keystone
  step "waiting for database schemas"; wait_db_syncs
  # Database syncs run one by one (only on fresh state); the servers then
  # start side by side and are waited for one by one, so that a failure still
  # names its service.
  step "glance";      start_glance
  step "placement";   start_placement
  step "nova-api";    start_nova_api
  step "neutron";     start_neutron
  step "nova services"; start_nova_services
  step "waiting for ${STARTING[*]:-nothing}"; wait_started
  step "compute host registered"; wait_compute_host
  step "bootstrap (projects, flavors, images, networks, clouds.yaml)"; bootstrap_resources
  step ""
  local mem
  mem=$(total_rss_mib)
  say "local cloud up: $CLOUD/clouds.yaml (entries: admin hpcloud-az2 rax-iad ovh-gra1 hpcloud-az2-appcred); ${mem} MiB (PSS)"
}

main "$@"
