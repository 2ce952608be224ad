#!/usr/bin/env bash
# Print each local-cloud service as up/down; exit 0 only if all are up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$HERE/services.sh"

main() {
  local s pid port bad=0 state
  for s in "${ALL_SERVICES[@]}"; do
    pid=$(pid_of "$s"); port=$(port_of "$s")
    if healthy "$s"; then state=up; else state=down; bad=1; fi
    printf '%-15s %-5s pid=%-8s %s\n' "$s" "$state" "${pid:--}" "${port:+127.0.0.1:$port}"
  done
  if ((bad == 0)); then
    echo "memory: $(total_rss_mib) MiB (PSS); clouds: $CLOUD/clouds.yaml"
  fi
  return "$bad"
}

main "$@"
