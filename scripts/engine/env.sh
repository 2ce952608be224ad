# shellcheck shell=bash
# Source me (`. scripts/engine/env.sh`) to use the engine that `npm run engine` put in
# .tools/bin, offline: state in .pulumi-state/, plugins found on PATH, nothing
# downloaded. test/support/engine.ts builds the same environment for tests; keep the two
# in step. See docs/engine.md.

_nodepool_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/../.." && pwd)"

case ":${PATH}:" in
  *":${_nodepool_root}/.tools/bin:"*) ;;
  *) export PATH="${_nodepool_root}/.tools/bin:${PATH}" ;;
esac

export PULUMI_HOME="${_nodepool_root}/.tools/pulumi-home"
export PULUMI_BACKEND_URL="file://${_nodepool_root}/.pulumi-state"
mkdir -p "${PULUMI_HOME}" "${_nodepool_root}/.pulumi-state"
export PULUMI_SKIP_UPDATE_CHECK=true
# Plugins: the engine takes pulumi-resource-* and pulumi-language-* from PATH first
# ("ambient" plugins), so the ones in .tools/bin win; it must not be told to ignore
# them, and must never try to download one.
unset PULUMI_IGNORE_AMBIENT_PLUGINS
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# One failed create must not stop a round's deletes elsewhere (docs/pulumi.md).
export PULUMI_CONTINUE_ON_ERROR="${PULUMI_CONTINUE_ON_ERROR-true}"
# Only for example stacks: a real stack's passphrase comes from its owner.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-nodepool-example-passphrase}"

# The language host built here (sdk v3.68.0, the newest the module proxy serves) does not
# see Pulumi.yaml's runtime options (typescript: false, nodeargs: --import tsx): newer
# engines pass them in a way it predates. Give node the tsx loader through NODE_OPTIONS
# instead, and keep the TypeScript hook it then switches on from type-checking.
if [[ -f "${_nodepool_root}/.tools/stamps/pulumi-language-nodejs" ]]; then
  _nodepool_tsx="--import ${_nodepool_root}/node_modules/tsx/dist/loader.mjs"
  case " ${NODE_OPTIONS-} " in
    *" ${_nodepool_tsx} "*) ;;
    *) export NODE_OPTIONS="${_nodepool_tsx}${NODE_OPTIONS:+ ${NODE_OPTIONS}}" ;;
  esac
  export PULUMI_NODEJS_TRANSPILE_ONLY=true
  unset _nodepool_tsx
fi

unset _nodepool_root
