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
  local i s
  for ((i = ${#ALL_SERVICES[@]} - 1; i >= 0; i--)); do
    s=${ALL_SERVICES[i]}
    if [[ -n "$(pid_of "$s")" ]]; then
      step "stopping $s"
      stop_service "$s"
    fi
  done
  if ((wipe)); then
    step "wiping state"
    rm -rf "$STATE" "$ETC" "$RUN" "$LOG" "$PYLIB" "$CLOUD/secrets.env" \
      "$CLOUD/clouds.yaml" "$CLOUD/secure.yaml" "$CLOUD/openrc"
  fi
  step ""
  say "local cloud down$( ((wipe)) && echo ', state wiped')"
}

main "$@"
