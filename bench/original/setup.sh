#!/usr/bin/env bash
# Installs what bench/original/measure.py needs to run the ORIGINAL Nodepool
# (nodepool 11.0.0, launcher only) beside ours: a venv, Debian's ZooKeeper and
# a throwaway TLS CA (nodepool 11 refuses a ZooKeeper connection without TLS).
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="$ROOT/.tools/original-nodepool"
VENV="$TOOLS/venv"
TLS="$TOOLS/tls"
say() { echo "setup: $*"; }

mkdir -p "$TOOLS"

# 1. The venv. nodepool 11.0.0 imports cachetools without declaring it.
if [ -x "$VENV/bin/nodepool-launcher" ] && "$VENV/bin/python" -c 'import nodepool, cachetools' 2>/dev/null \
  && [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("nodepool"))')" = "11.0.0" ]; then
  say "venv ok: $VENV (nodepool 11.0.0)"
else
  say "creating venv $VENV and installing nodepool==11.0.0 cachetools (a few minutes)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet nodepool==11.0.0 cachetools
  say "installed $("$VENV/bin/nodepool-launcher" --version 2>&1 | tail -1)"
fi

# 2. ZooKeeper from Debian; we run it with plain java and our own config, so
#    no zookeeperd service.
if [ -f /usr/share/java/zookeeper.jar ] || ls /usr/share/java/zookeeper-*.jar >/dev/null 2>&1; then
  say "zookeeper ok: $(dpkg-query -W -f='${Version}' zookeeper 2>/dev/null || echo present)"
else
  say "installing Debian zookeeper"
  # apt-cache needs a fresh list the first time on a new machine.
  apt-get install -y -qq zookeeper >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq zookeeper >/dev/null; }
  say "installed zookeeper $(dpkg-query -W -f='${Version}' zookeeper)"
fi

# 3. Throwaway CA, server and client certificate. ZooKeeper's Netty TLS reads
#    PEM files directly (ssl.keyStore.type=PEM), so no Java keystore is needed.
if [ -s "$TLS/ca.pem" ] && [ -s "$TLS/server.pem" ] && [ -s "$TLS/client.pem" ] \
  && openssl verify -CAfile "$TLS/ca.pem" "$TLS/server.pem" "$TLS/client.pem" >/dev/null 2>&1; then
  say "tls ok: $TLS"
else
  say "making a throwaway CA and certificates in $TLS"
  rm -rf "$TLS" && mkdir -p "$TLS"
  (
    cd "$TLS"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=nodepool-bench-ca" \
      -keyout ca.key -out ca.pem 2>/dev/null
    for who in server client; do
      openssl req -newkey rsa:2048 -nodes -subj "/CN=$who" -keyout "$who.key" -out "$who.csr" 2>/dev/null
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$who.ext"
      openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile "$who.ext" -out "$who.pem" 2>/dev/null
      # ZooKeeper's PEM keystore wants the key and the certificate in one file.
      cat "$who.key" "$who.pem" >"$who-keystore.pem"
      rm -f "$who.csr" "$who.ext"
    done
  )
fi
say "done"
