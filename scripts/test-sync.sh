#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=test-sync.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/test-sync.sh [--time SECONDS] [--keep DIR]

Simulates a two-machine AFL++ campaign on this host: node "alpha" fuzzes into one sync dir, node
"beta" into another, each with fuzz.sh --node NAME --sync-from OTHER-DIR (scripts/sync.sh copies
the other's main queue in; AFL++ imports it). The turns are staggered, as machines that sync now
and then: alpha fuzzes; beta starts and imports alpha's finds; alpha resumes and imports beta's.
(Run at once, a 2-minute campaign on a loaded 2-core machine may never reach AFL++'s next
import point, which comes between two queue entries.) Checks that each side holds a copy of the
other's main queue and imported entries from it (queue entries named sync:OTHER-main). One PASS
or FAIL line per check.

  --time SECONDS  length of each turn (default 60)
  --keep DIR      run in DIR (must not exist) and keep it
  -h, --help      this text
EOF
}

seconds=60 keep=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --time) xs_need_value "$@"; seconds="$2"; shift ;;
        --keep) xs_need_value "$@"; keep="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done
{ xs_is_uint "$seconds" && [[ $seconds -ge 20 ]]; } || xs_usage_error "--time needs seconds (>= 20), not '$seconds'"
xs_make_work_dir "$keep" xsfuzz-sync
tmp="$XS_WORK"
xs_ensure_build
export XS_BUILD_CHECKED=1
"$XS_ROOT/scripts/sync.sh" --deps-only

failures=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

turn() {  # NAME OTHER [--resume]: one fuzz.sh campaign of node NAME, syncing from OTHER's dir
    local rc=0
    AFL_SYNC_TIME=1 "$XS_ROOT/scripts/fuzz.sh" --jobs 1 --status 0 --time "$seconds" --node "$1" \
        --out "$tmp/$1" --sync-from "$tmp/$2" "${@:3}" >>"$tmp/$1.txt" 2>&1 || rc=$?
    if [[ $rc -eq 0 && -f "$tmp/$1/$1-main/fuzzer_stats" ]]; then
        pass "node $1: campaign ran${3:+ ($3)} (worker $1-main)"
    else
        tail -n 5 "$tmp/$1.txt" | sed 's/^/  | /'
        fail "node $1: campaign${3:+ ($3)} exited $rc (output $tmp/$1.txt)"
    fi
}
mkdir -p "$tmp/alpha" "$tmp/beta"
turn alpha beta
turn beta alpha
turn alpha beta --resume

check_node() {  # NAME OTHER
    local me="$1" other="$2" copies imports
    copies="$(find "$tmp/$me/$other-main/queue" -maxdepth 1 -name 'id:*' -type f 2>/dev/null | xs_count)"
    if [[ $copies -gt 0 ]]; then
        pass "node $me: sync.sh copied $copies entries of $other-main's queue into its sync dir"
    else
        fail "node $me: no copy of $other-main's queue in $tmp/$me (see $tmp/$me/.logs/sync.log)"
    fi
    imports="$(find "$tmp/$me/$me-main/queue" -maxdepth 1 -name "id:*sync:$other-main*" -type f 2>/dev/null | xs_count)"
    if [[ $imports -gt 0 ]]; then
        pass "node $me: AFL++ imported $imports of $other's entries ($me-main/queue/id:...,sync:$other-main,...)"
    else
        fail "node $me: no entry named sync:$other-main in $me-main's queue"
    fi
}
check_node alpha beta
check_node beta alpha
[[ -z "$keep" ]] || echo "kept in $tmp"
[[ $failures -eq 0 ]] || exit 1
