#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=replay.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF2'
usage: scripts/replay.sh [xsfuzz options] FILE...|DIR

A thin wrapper of the plain build (runs scripts/setup.sh first):
  DIR      'xsfuzz triage DIR': replays every crash and hang of a fuzz.sh output folder in one
           process, groups them by signature, shrinks one input per group, writes DIR/triage/
           (reports, minimal inputs, reproducers, index.html) and prints the table
  FILE...  'xsfuzz replay FILE...': each file's verdict and report, shrunk first
The fault and configuration are those the campaign holding the files ran with (its .xsfuzz-campaign);
options such as --fault NAME, --config NAME|FILE, --no-shrink, --full are passed on to xsfuzz.

Exit status: xsfuzz's (replay: 1 when an input fails; triage: 0 once triaged), 2 on bad usage.
EOF2
}

options=() paths=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --fault|--target|--max-commands|--config) xs_need_value "$@"; options+=("$1" "$2"); shift ;;
        --no-shrink|--full|--force) options+=("$1") ;;
        --) shift; paths+=("$@"); break ;;
        -*) xs_usage_error "unknown option '$1'" ;;
        *) paths+=("$1") ;;
    esac
    shift
done
[[ ${#paths[@]} -gt 0 ]] || xs_usage_error "give crash FILEs or one DIR"
for p in "${paths[@]}"; do
    [[ -e "$p" ]] || xs_usage_error "no such file or directory: $p"
done

xs_ensure_build
if [[ -d "${paths[0]}" ]]; then
    [[ ${#paths[@]} -eq 1 ]] || xs_usage_error "give one DIR, or FILEs"
    exec "$XS_XSFUZZ" triage "${options[@]}" "${paths[0]}"
fi
exec "$XS_XSFUZZ" replay "${options[@]}" "${paths[@]}"
