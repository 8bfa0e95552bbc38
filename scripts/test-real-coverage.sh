#!/usr/bin/env bash
# Checks scripts/real-coverage.sh on two scenarios per daemon: one without a live update must reach
# none of the restore code, one with a live update must reach it. The restore code runs only in the
# re-executed daemon, so the second check also shows that counters written after the re-exec (and
# before the SIGKILL that ends a sandbox daemon) are kept. One PASS or FAIL line per check; exits 1
# if any failed. Not part of scripts/test.sh (the coverage build adds minutes to CI's budget).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-test-real-coverage.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
failures=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

mkdir -p "$WORK/no-lu" "$WORK/lu"
cat >"$WORK/no-lu/store.txt" <<'EOF'
# xsfuzz scenario
D0 tx0 WRITE /a x
D0 tx0 WATCH /a t1
D0 tx0 READ /a
EOF
cat >"$WORK/lu/store-lu.txt" <<'EOF'
# xsfuzz scenario
D0 tx0 WRITE /a x
D0 tx0 WATCH /a t1
LIVE-UPDATE
D0 tx0 READ /a
EOF

# The figure of FUNCTION in a listing: "reached total" (C: lines; OCaml: probes).
figure() {  # LISTING FUNCTION
    awk -v f="$2" '$1 == f { print $3, $2; exit }' "$1"
}

for input in no-lu lu; do
    if "$ROOT/scripts/real-coverage.sh" --jobs 1 "$WORK/$input" "$WORK/out-$input" >"$WORK/$input.log" 2>&1; then
        pass "real-coverage.sh on the $input scenario: $(tr '\n' ' ' <"$WORK/out-$input/summary.txt")"
    else
        tail -20 "$WORK/$input.log"
        fail "real-coverage.sh on the $input scenario"
        continue
    fi
done
check() {  # DAEMON FUNCTION
    local none lu
    none="$(figure "$WORK/out-no-lu/$1.txt" "$2")"; lu="$(figure "$WORK/out-lu/$1.txt" "$2")"
    if [[ "$none" =~ ^0\ [1-9] && "$lu" =~ ^[1-9][0-9]*\ [1-9] ]]; then
        pass "$1 $2: ${none% *} of ${none#* } reached without a live update, ${lu% *} with one"
    else
        fail "$1 $2: '${none:-none}' without a live update, '${lu:-none}' with one (want 0 of N, then more)"
    fi
}
if [[ -f "$WORK/out-lu/xenstored.txt" && -f "$WORK/out-no-lu/xenstored.txt" ]]; then
    check xenstored lu_read_state
    check xenstored read_state_node
    check oxenstored Xenstored.DB.from_channel
    check oxenstored Xenstored.DB.to_channel
fi
echo "test-real-coverage.sh: $failures failed"
[[ $failures == 0 ]]
