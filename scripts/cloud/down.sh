#!/usr/bin/env bash
# Stop the local cloud started by up.sh (all of it, newest first). Idempotent.
# --wipe also deletes its state (databases, images, secrets, clouds.yaml) so
# the next up.sh starts from nothing; the package cache is kept.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$HERE/services.sh"

main() {
  local wipe=0
  [[ "${1:-}" == --wipe ]] && wipe=1
  # OpenStack services first, all at once (each takes 1-8 s to exit and they
  # don't depend on each other to stop), then the message bus, then the DB.
  local s running=()
  for s in "${ALL_SERVICES[@]:2}"; do [[ -n "$(pid_of "$s")" ]] && running+=("$s"); done
  if ((${#running[@]})); then
    step "stopping ${running[*]}"
    for s in "${running[@]}"; do stop_service "$s" & done
    wait
  fi
  for s in rabbitmq postgres; do
    if [[ -n "$(pid_of "$s")" ]]; then step "stopping $s"; stop_service "$s"; fi
  done
  # RabbitMQ's Erlang started an epmd daemon (outside its process group).
  # Stop it only when no Erlang node is left registered with it: then it
  # serves nobody.
  if command -v epmd >/dev/null && epmd -names 2>/dev/null | grep -q 'up and running' &&
     ! epmd -names 2>/dev/null | grep -q '^name '; then
    epmd -kill >/dev/null 2>&1 || true
  fi
  if ((wipe)); then
    step "wiping state"
    rm -rf "$PG_ALT"   # the cluster's home when .cloud was out of postgres' reach
    rm -rf "$STATE" "$ETC" "$RUN" "$LOG" "$PYLIB" "$CLOUD/secrets.env" \
      "$CLOUD/clouds.yaml" "$CLOUD/secure.yaml" "$CLOUD/openrc"
  fi
  step ""
  say "local cloud down$( ((wipe)) && echo ', state wiped')"
}

main "$@"
