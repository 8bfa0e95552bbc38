#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=tmin.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
usage: scripts/tmin.sh [--fault NAME] [--timeout MS] CRASH OUT

Shrinks one crash file in two passes and prints the size after each:
  1. afl-tmin on the instrumented target (byte-level, keeps it crashing);
  2. 'xsfuzz shrink' on the plain build (scenario-level, keeps the disagreement).
Checks first that CRASH disagrees under 'xsfuzz replay', and that OUT still does.
Runs scripts/setup.sh first. OUT must not exist.

  --fault NAME  the planted fault (default: the campaign's, when CRASH is inside a fuzz.sh
                output dir; else none)
                The campaign's --config, if any, is used too.
  --timeout MS  per-execution timeout for afl-tmin (default: the campaign's, else $XS_DEFAULT_TIMEOUT_MS)
  -h, --help    this text
EOF
}

xs_parse_target_options 1 "CRASH and OUT" "$@"
crash="$(xs_abspath "${XS_OPERANDS[0]}")" out="$(xs_abspath "${XS_OPERANDS[1]}")"
[[ -f "$crash" ]] || xs_usage_error "CRASH is not a file: ${XS_OPERANDS[0]}"
[[ ! -e "$out" ]] || xs_die "OUT $out already exists; choose another OUT"
[[ -d "$(dirname "$out")" ]] || xs_die "the directory of OUT does not exist: $(dirname "$out")"

xs_ensure_build
xs_settle_campaign_settings "$crash"
fault="$XS_FAULT" timeout_ms="$XS_TIMEOUT_MS"
fault_args=()
[[ -z "$fault" ]] || fault_args=(--fault "$fault")

replay_rc() {  # FILE -> exit code of xsfuzz replay
    local rc=0
    "$XS_XSFUZZ" replay "$1" "${fault_args[@]}" >/dev/null 2>&1 || rc=$?
    echo "$rc"
}

rc="$(replay_rc "$crash")"
[[ $rc -eq 1 ]] || xs_die "$crash does not disagree under 'xsfuzz replay${fault:+ --fault $fault}' (exit $rc): nothing to shrink"

work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-tmin.XXXXXX")"
trap 'rm -rf "$work"' EXIT

xs_afl_env
target=()
xs_target_cmd target "$fault" "${XS_CONFIG_ARGS[@]}"
xs_log "afl-tmin (fault '${fault:-none}', -t $timeout_ms)"
if ! afl-tmin -i "$crash" -o "$work/tmin" -t "$timeout_ms" -m none -- "${target[@]}" >"$work/tmin.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' "$work/tmin.log" | tail -n 20 >&2
    xs_die "afl-tmin failed"
fi
tmin_input="$work/tmin"
if [[ "$(replay_rc "$work/tmin")" -ne 1 ]]; then
    # afl-tmin keeps "a crash"; if that is no longer this disagreement, shrink the original.
    xs_log "the afl-tmin output no longer disagrees; 'xsfuzz shrink' starts from the original"
    tmin_input="$crash"
fi

xs_log "xsfuzz shrink"
if ! "$XS_XSFUZZ" shrink "$tmin_input" -o "$work/shrunk" "${fault_args[@]}" >"$work/shrink.log" 2>&1; then
    tail -n 20 "$work/shrink.log" >&2
    xs_die "xsfuzz shrink failed"
fi
[[ "$(replay_rc "$work/shrunk")" -eq 1 ]] || xs_die "the shrunk input no longer disagrees"
cp -- "$work/shrunk" "$out"

size() { stat -c %s "$1"; }
echo "original:        $(size "$crash") bytes  $crash"
echo "after afl-tmin:  $(size "$work/tmin") bytes"
echo "after shrink:    $(size "$out") bytes  $out"
echo "replay: $(xs_quote "$XS_XSFUZZ") replay $(xs_quote "$out")${fault:+ --fault $(xs_quote "$fault")}"
