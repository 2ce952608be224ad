#!/bin/sh
# Runs once on the template server (as cloud-init user data) before it is snapshotted.
# Cache what devstack jobs would otherwise download on every run, then power off: a stopped
# template server tells nodepool the setup has finished and the snapshot can be taken.
set -eu
mkdir -p /opt/cache/files
if command -v apt-get >/dev/null 2>&1; then
  apt-get update
  apt-get install -y --download-only git python3-pip || true
fi
if command -v git >/dev/null 2>&1 && [ ! -d /opt/git/devstack ]; then
  git clone --depth 1 https://opendev.org/openstack/devstack /opt/git/devstack || true
fi
sync
poweroff
