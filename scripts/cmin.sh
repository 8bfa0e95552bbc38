#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=cmin.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
usage: scripts/cmin.sh [--fault NAME] [--timeout MS] IN OUT

Minimises a corpus with afl-cmin over the instrumented target (build/afl/xsfuzz afl): keeps
the smallest set of inputs of IN that covers every edge tuple IN covers, writes it to OUT and
prints the before/after counts. Runs scripts/setup.sh first.

IN may be a corpus dir (e.g. corpus/), one worker's AFL dir (its queue/ is used) or a fuzz.sh
output dir (every worker's queue/ together). OUT must not exist, or be an empty dir.
Inputs that crash the target (a planted fault) count like the others.

  --fault NAME  run the target with this planted fault (default: the campaign's, when IN is
                inside a fuzz.sh output dir; else none). The campaign's --config, if any,
                is used too.
  --timeout MS  per-execution timeout (default: the campaign's, else $XS_DEFAULT_TIMEOUT_MS)
  -h, --help    this text
EOF
}

xs_parse_target_options 1 "IN and OUT" "$@"
in="$(xs_abspath "${XS_OPERANDS[0]}")" out="$(xs_abspath "${XS_OPERANDS[1]}")"
[[ -d "$in" ]] || xs_usage_error "IN is not a directory: ${XS_OPERANDS[0]}"
xs_require_empty_out "$out"

xs_ensure_build
xs_settle_campaign_settings "$in"
fault="$XS_FAULT" timeout_ms="$XS_TIMEOUT_MS"

# afl-cmin wants one flat dir: gather the queues of a campaign (names prefixed by worker).
work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-cmin.XXXXXX")"
trap 'rm -rf "$work"' EXIT
src="$work/in"
mkdir -p "$src"
xs_gather_inputs "$in" "$src" >/dev/null
before="$(xs_list_inputs "$src" | xs_count)"
[[ $before -gt 0 ]] || xs_die "no input file in $in"
before_bytes="$(xs_bytes "$src")"

xs_afl_env
export AFL_CMIN_ALLOW_ANY=1   # an input that crashes (planted fault) is kept, not fatal
target=()
xs_target_cmd target "$fault" "${XS_CONFIG_ARGS[@]}"
xs_log "afl-cmin over $before inputs from $in (fault '${fault:-none}', -t $timeout_ms)"
if ! afl-cmin -i "$src" -o "$work/out" -t "$timeout_ms" -m none -- "${target[@]}" >"$work/cmin.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' "$work/cmin.log" | tail -n 20 >&2
    xs_die "afl-cmin failed"
fi
after="$(xs_list_inputs "$work/out" | xs_count)"
[[ $after -gt 0 ]] || xs_die "afl-cmin kept no input (log above)"
mkdir -p "$out"
cp -- "$work/out"/* "$out/"
after_bytes="$(xs_bytes "$work/out")"
echo "before: $before inputs ($before_bytes bytes) in $in"
echo "after:  $after inputs ($after_bytes bytes) in $out"
