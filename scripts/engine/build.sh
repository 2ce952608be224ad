#!/usr/bin/env bash
# Puts the Pulumi engine into .tools/bin: pulumi, pulumi-language-nodejs,
# pulumi-resource-pulumi-nodejs (dynamic providers) and pulumi-resource-openstack.
# Built from the Go modules pinned in engine/*/go.mod (see docs/engine.md); a `pulumi`
# already on PATH is used instead of building one when its version is new enough.
# Idempotent: each binary has a stamp (versions + hash of its build inputs) and is
# rebuilt only when that changes. Run it as `npm run engine`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SELF="$ROOT/scripts/engine/build.sh"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
STAMPS="$TOOLS/stamps"
LOGS="$TOOLS/logs"
MIN_PULUMI="3.248.0"
mkdir -p "$BIN" "$STAMPS" "$LOGS"

# Builds use the Go on PATH (1.26 here) and never fetch another toolchain.
export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false"

T0=$SECONDS
say() { printf 'engine: %s\n' "$*"; }
die() { printf 'engine: %s\n' "$*" >&2; exit 1; }

# step NAME CMD...: runs CMD with its output in .tools/logs/NAME.log, prints its time,
# and on failure names the step and shows the end of the log.
step() {
  local name="$1"; shift
  local log="$LOGS/${name// /-}.log" t=$SECONDS
  say "step '$name' ..."
  if ! "$@" >"$log" 2>&1; then
    tail -n 25 "$log" >&2 || true
    die "step '$name' failed after $((SECONDS - t))s (full log: ${log#"$ROOT"/})"
  fi
  say "step '$name' done in $((SECONDS - t))s"
}

command -v go >/dev/null || die "step 'check go' failed: go is not on PATH (Go >= 1.26 is needed to build the engine)"
GO_VERSION="$(go env GOVERSION)"

# Version of MODULE required in the build module DIR's go.mod.
modver() {
  local v
  v="$(awk -v m="$2" '$1 == "require" { $1 = ""; $0 = $0 } $1 == m { print $2; exit }' "$ROOT/engine/$1/go.mod")"
  [[ -n "$v" ]] || die "step 'read versions' failed: engine/$1/go.mod does not require $2"
  echo "$v"
}
# Hash of a build module's inputs plus this script.
inputs_hash() { cat "$ROOT"/engine/"$1"/{go.mod,go.sum,*.go} "$SELF" | sha256sum | cut -c1-16; }
fresh() { [[ -x "$BIN/$1" && -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }

PULUMI_VERSION="$(modver pulumi github.com/pulumi/pulumi/pkg/v3)"
LANG_VERSION="$(modver language-nodejs github.com/pulumi/pulumi/sdk/v3)"
TF_OPENSTACK_VERSION="$(modver openstack github.com/terraform-provider-openstack/terraform-provider-openstack/v3)"
# The provider reports the @pulumi/openstack version it serves (package.json pins it),
# with the Terraform provider it is built from as semver build metadata.
SDK_OPENSTACK_VERSION="$(NODE_OPTIONS= node -p 'require(process.argv[1]).dependencies["@pulumi/openstack"]' "$ROOT/package.json")"
OPENSTACK_PLUGIN_VERSION="$SDK_OPENSTACK_VERSION+tf.${TF_OPENSTACK_VERSION#v}"
say "go $GO_VERSION; pulumi $PULUMI_VERSION, nodejs language host from sdk $LANG_VERSION, openstack provider $OPENSTACK_PLUGIN_VERSION"

version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]; }

# --- pulumi (CLI and engine) -------------------------------------------------------
# A pulumi on PATH (outside .tools/bin) that is new enough is linked, together with the
# language host installed beside it; otherwise both are built.
external_pulumi=""
IFS=: read -r -a path_dirs <<<"${PATH:-}"
for d in "${path_dirs[@]}"; do
  [[ -n "$d" && "$(cd "$d" 2>/dev/null && pwd -P)" != "$(cd "$BIN" && pwd -P)" && -x "$d/pulumi" ]] || continue
  v="$("$d/pulumi" version 2>/dev/null | head -n1 | sed 's/^v//')" || continue
  if [[ -n "$v" ]] && version_ge "${v%%[-+]*}" "$MIN_PULUMI"; then external_pulumi="$d/pulumi"; fi
  break
done

if [[ -n "$external_pulumi" ]]; then
  say "using $external_pulumi ($("$external_pulumi" version)) found on PATH"
  ln -sfn "$external_pulumi" "$BIN/pulumi"
  rm -f "$STAMPS/pulumi"
  ext_dir="$(dirname "$(readlink -f "$external_pulumi")")"
  for f in pulumi-language-nodejs pulumi-resource-pulumi-nodejs; do
    if [[ -x "$ext_dir/$f" ]]; then ln -sfn "$ext_dir/$f" "$BIN/$f"; rm -f "$STAMPS/$f"; fi
  done
else
  stamp="pulumi $PULUMI_VERSION go $GO_VERSION $(inputs_hash pulumi)"
  if fresh pulumi "$stamp"; then
    say "pulumi $PULUMI_VERSION is up to date"
  else
    cd "$ROOT/engine/pulumi"
    step "download pulumi modules" go mod download
    step "build pulumi" go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
      -o "$BIN/pulumi.new" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    mv -f "$BIN/pulumi.new" "$BIN/pulumi"
    echo "$stamp" >"$STAMPS/pulumi"
  fi
fi

# The dynamic-provider plugin is a shell script shipped beside pulumi; unless the pulumi
# in use brought one, take it from the same sdk/v3 release as the engine built here.
if [[ ! -x "$BIN/pulumi-resource-pulumi-nodejs" ]]; then
  rm -f "$BIN/pulumi-resource-pulumi-nodejs"
  SDK_DIR="$(cd "$ROOT/engine/pulumi" && go mod download github.com/pulumi/pulumi/sdk/v3 \
    && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)" \
    || die "step 'copy pulumi-resource-pulumi-nodejs' failed: could not download github.com/pulumi/pulumi/sdk/v3"
  [[ -f "$SDK_DIR/nodejs/dist/pulumi-resource-pulumi-nodejs" ]] \
    || die "step 'copy pulumi-resource-pulumi-nodejs' failed: not found in $SDK_DIR/nodejs/dist"
  install -m 0755 "$SDK_DIR/nodejs/dist/pulumi-resource-pulumi-nodejs" "$BIN/pulumi-resource-pulumi-nodejs"
  say "copied pulumi-resource-pulumi-nodejs from sdk $(basename "$SDK_DIR" | sed 's/.*@//')"
fi

# --- pulumi-language-nodejs ----------------------------------------------------------
if [[ -n "$external_pulumi" && -L "$BIN/pulumi-language-nodejs" ]]; then
  say "pulumi-language-nodejs comes with $external_pulumi"
else
  stamp="pulumi-language-nodejs $LANG_VERSION go $GO_VERSION $(inputs_hash language-nodejs)"
  if fresh pulumi-language-nodejs "$stamp"; then
    say "pulumi-language-nodejs $LANG_VERSION is up to date"
  else
    cd "$ROOT/engine/language-nodejs"
    step "download pulumi-language-nodejs modules" go mod download
    step "build pulumi-language-nodejs" go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANG_VERSION" \
      -o "$BIN/pulumi-language-nodejs.new" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
    mv -f "$BIN/pulumi-language-nodejs.new" "$BIN/pulumi-language-nodejs"
    echo "$stamp" >"$STAMPS/pulumi-language-nodejs"
  fi
fi

# --- pulumi-resource-openstack -------------------------------------------------------
stamp="pulumi-resource-openstack $OPENSTACK_PLUGIN_VERSION go $GO_VERSION $(inputs_hash openstack)"
if fresh pulumi-resource-openstack "$stamp"; then
  say "pulumi-resource-openstack $OPENSTACK_PLUGIN_VERSION is up to date"
else
  cd "$ROOT/engine/openstack"
  step "download pulumi-resource-openstack modules" go mod download
  # The provider waits for a server to be ACTIVE (or gone) with the plugin SDK's StateChangeConf,
  # whose MinTimeout of 3 s doubles: polls at 0, 3, 9, 19 s, so a node that boots in 4 s is
  # seen after 9 s and the round waits for it. It is built against a copy of the SDK (made
  # here from the module cache, where Go allows no overlay) whose retry/state.go backs off from
  # 100 ms doubling to at most 2 s instead (docs/decisions.md). The official provider works the
  # same, only slower to notice.
  sdk_dir="$(go list -m -f '{{.Dir}}' github.com/hashicorp/terraform-plugin-sdk/v2)"
  patched="$TOOLS/patched/terraform-plugin-sdk"
  rm -rf "$patched" && mkdir -p "$(dirname "$patched")" && cp -r "$sdk_dir" "$patched" && chmod -R u+w "$patched"
  perl -0pe 's/if wait < conf\.MinTimeout \{\s*wait = conf\.MinTimeout\s*\} else if wait > 10\*time\.Second \{\s*wait = 10 \* time\.Second\s*\}/if wait > 2*time.Second { \/\/ nodepool: scripts\/engine\/build.sh\n\t\t\t\t\twait = 2 * time.Second\n\t\t\t\t}/' \
    "$sdk_dir/helper/retry/state.go" >"$patched/helper/retry/state.go"
  grep -q 'nodepool: scripts/engine/build.sh' "$patched/helper/retry/state.go" \
    || die "step 'patch provider polling' failed: $sdk_dir/helper/retry/state.go no longer has the MinTimeout bound"
  sed "s#^replace github.com/hashicorp/terraform-plugin-sdk/v2 => .*#replace github.com/hashicorp/terraform-plugin-sdk/v2 => $patched#" \
    go.mod >"$TOOLS/patched/go.mod"
  cp go.sum "$TOOLS/patched/go.sum"
  step "build pulumi-resource-openstack" go build -trimpath -modfile "$TOOLS/patched/go.mod" \
    -ldflags "-s -w -X main.version=$OPENSTACK_PLUGIN_VERSION -X main.upstreamVersion=$TF_OPENSTACK_VERSION" \
    -o "$BIN/pulumi-resource-openstack.new" .
  mv -f "$BIN/pulumi-resource-openstack.new" "$BIN/pulumi-resource-openstack"
  echo "$stamp" >"$STAMPS/pulumi-resource-openstack"
fi

# --- check ------------------------------------------------------------------------------
got="$("$BIN/pulumi" version)" || die "step 'check pulumi' failed: $BIN/pulumi version did not run"
version_ge "$(sed 's/^v//; s/[-+].*//' <<<"$got")" "$MIN_PULUMI" \
  || die "step 'check pulumi' failed: $got is older than $MIN_PULUMI"
"$BIN/pulumi-resource-openstack" -version >/dev/null \
  || die "step 'check pulumi-resource-openstack' failed: it did not run"
say "ready in $((SECONDS - T0))s: pulumi $got in ${BIN#"$ROOT"/} ($(du -sh "$BIN" | cut -f1)); source scripts/engine/env.sh to use it"
