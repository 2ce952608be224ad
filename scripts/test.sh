#!/usr/bin/env bash
# The whole test suite, as README and CI run it: static checks and unit tests first (fast,
# no services), then the local OpenStack and the Pulumi engine (both idempotent and cached),
# then the integration and end-to-end tests that use them.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "typecheck";          npm run --silent typecheck
step "lint";               npm run --silent lint
step "unit tests";         npm run --silent test:unit
step "Pulumi engine";      npm run --silent engine
step "local OpenStack";    npm run --silent cloud:up
step "integration tests";  npm run --silent test:integration
step "end-to-end tests";   npm run --silent test:e2e
