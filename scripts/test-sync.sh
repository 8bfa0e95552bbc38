#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=test-sync.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/test-sync.sh [--time SECONDS] [--keep DIR]

Simulates a two-machine AFL++ campaign on this host: two fuzz.sh campaigns run at once, node
"alpha" into one sync dir and node "beta" into another, each on its own CPU when there are two,
each with --sync-from the other's dir (scripts/sync.sh every 15 s, AFL_SYNC_TIME=1 so that AFL++
imports every 30 s instead of every 15 min). Then checks that each side holds a copy of the other's
main queue and imported entries from it (queue entries named sync:OTHER-main). One PASS or FAIL
line per check.

  --time SECONDS  length of the two campaigns (default 150)
  --keep DIR      run in DIR (must not exist) and keep it
  -h, --help      this text
EOF
}

seconds=150 keep=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --time) xs_need_value "$@"; seconds="$2"; shift ;;
        --keep) xs_need_value "$@"; keep="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done
xs_is_uint "$seconds" && [[ $seconds -ge 30 ]] || xs_usage_error "--time needs seconds (>= 30), not '$seconds'"
if [[ -n "$keep" ]]; then
    [[ ! -e "$keep" ]] || xs_die "--keep $keep already exists"
    tmp="$(xs_abspath "$keep")"
    mkdir -p "$tmp"
else
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-sync.XXXXXX")"
fi
xs_ensure_build
export XS_BUILD_CHECKED=1
"$XS_ROOT/scripts/sync.sh" --deps-only   # once, before two nodes would both run apt-get

failures=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

mapfile -t cpus < <(xs_cpus)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    [[ -n "$keep" ]] || rm -rf "$tmp"
}
trap cleanup EXIT

# One "machine" per node: its own sync dir, its own CPU (fuzz.sh pins its worker to the first CPU
# it may use), the other's dir as --sync-from.
start_node() {  # NAME OTHER CPU
    local pin=()
    [[ ${#cpus[@]} -lt 2 ]] || pin=(taskset -c "$3")
    AFL_SYNC_TIME=1 XSFUZZ_SYNC_SECONDS=15 "${pin[@]}" "$XS_ROOT/scripts/fuzz.sh" --jobs 1 --status 0 \
        --time "$seconds" --node "$1" --out "$tmp/$1" --sync-from "$tmp/$2" >"$tmp/$1.txt" 2>&1 &
    pids+=($!)
}
mkdir -p "$tmp/alpha" "$tmp/beta"
start_node alpha beta "${cpus[0]}"
start_node beta alpha "${cpus[1]:-${cpus[0]}}"
rcs=()
for p in "${pids[@]}"; do
    rc=0
    wait "$p" || rc=$?
    rcs+=("$rc")
done
pids=()

check_node() {  # NAME OTHER RC
    local me="$1" other="$2" rc="$3" copies imports
    if [[ $rc -eq 0 && -f "$tmp/$me/$me-main/fuzzer_stats" ]]; then
        pass "node $me: campaign ran (worker $me-main)"
    else
        tail -n 5 "$tmp/$me.txt" | sed 's/^/  | /'
        fail "node $me: campaign exited $rc (output $tmp/$me.txt)"
    fi
    copies="$(find "$tmp/$me/$other-main/queue" -maxdepth 1 -name 'id:*' -type f 2>/dev/null | xs_count)"
    if [[ $copies -gt 0 && -f "$tmp/$me/$other-main/is_main_node" ]]; then
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
check_node alpha beta "${rcs[0]}"
check_node beta alpha "${rcs[1]}"
[[ -z "$keep" ]] || echo "kept in $tmp"
[[ $failures -eq 0 ]] || exit 1
