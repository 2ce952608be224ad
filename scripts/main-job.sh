#!/usr/bin/env bash
# The main job: reconcile the clouds to images.yaml with `pulumi up`, then show what exists.
#
# With no cloud configured (no OS_CLIENT_CONFIG_FILE, OS_CLOUD or clouds.yaml where the
# openstack CLI looks), it runs on a local OpenStack started on 127.0.0.1 (npm run cloud:up,
# needs root for its Debian packages), seeded with the two ready devstack-precise builds of
# Nodepool's operator page, as the stack "local". Otherwise it runs the stack named by
# NODEPOOL_STACK (default "dev") against the clouds images.yaml names.
#
# The Pulumi engine is the official CLI when one (>= 3.248) is on PATH, else the one
# `npm run engine` builds from Go modules into .tools/bin (docs/engine.md).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
say() { printf '\n=== [%4ds] %s\n' "$((SECONDS - started))" "$*"; }

cloud_configured() {
  [[ -n "${OS_CLIENT_CONFIG_FILE:-}" || -n "${OS_CLOUD:-}" || -n "${OS_AUTH_URL:-}" ]] ||
    [[ -f clouds.yaml || -f "$HOME/.config/openstack/clouds.yaml" || -f /etc/openstack/clouds.yaml ]]
}

if cloud_configured; then
  stack="${NODEPOOL_STACK:-dev}"
  say "using the configured clouds, stack ${stack}"
else
  stack=local
  say "no cloud configured: starting the local OpenStack"
  npm run --silent cloud:up
  export OS_CLIENT_CONFIG_FILE="$PWD/.cloud/clouds.yaml"
  say "seeding the operator page's two ready devstack-precise builds"
  node --import tsx scripts/seed-demo.ts
fi

say "Pulumi engine"
npm run --silent engine
# shellcheck source=scripts/engine/env.sh
. scripts/engine/env.sh

say "nodepool validate"
node bin/nodepool.js validate

pulumi stack select "$stack" --create --non-interactive >/dev/null
# One `pulumi up` is one round, as a schedule runs it. A round never waits for a template
# server's setup, so a build takes three: boot the template server, snapshot it once its
# setup has finished, boot pools from it. Between rounds, wait until the next has work.
for round in 1 2 3 4 5; do
  say "pulumi up (stack ${stack}), round ${round}"
  pulumi up --yes --non-interactive --stack "$stack"
  set +e
  node --import tsx scripts/next-round.ts --timeout "${NODEPOOL_SETUP_WAIT:-600}"
  next=$?
  set -e
  case $next in
    0) ;;                      # more to do: another round
    10) break ;;               # nothing left to do
    11) say "a build is still setting up; the next scheduled round takes it on"; break ;;
    *) exit "$next" ;;
  esac
done

say "nodepool image-list"
node bin/nodepool.js image-list
say "nodepool node-list"
node bin/nodepool.js node-list

# On the local cloud only (it claims nodes as jobs would): `nodepool reconcile` keeps the pool
# full while jobs claim and release nodes, with the refill times measured; it stops at the end.
if [[ "$stack" == local ]]; then
  say "nodepool reconcile: jobs claim and release nodes, the reconciler refills the pool"
  node --import tsx scripts/reconciler-demo.ts --stack "$stack"
fi
say "done in $((SECONDS - started)) s"
