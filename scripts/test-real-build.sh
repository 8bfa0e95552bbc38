#!/usr/bin/env bash
# Checks the daemons scripts/real-build.sh builds from Debian's source:
#   conformance  every trace of tests/conformance, on the plain and the traced build and on Debian's
#                binary of the same version (debian-4.17.5), for both daemons: the outputs must be equal;
#   lu-coverage  a traced daemon with an AFL map this test owns (SysV shared memory) answers requests,
#                survives a live update (same pid, data kept) and its map keeps filling across the re-exec.
# One PASS or FAIL line per check; exits 1 if any check failed.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/test-real-build.sh [--cache DIR] [--only conformance|lu-coverage] [--drain S] [TRACE...]

Builds first (scripts/real-build.sh, a no-op when done). TRACE names limit the conformance traces
(e.g. paths watches). The trace client is the oracle's xsclient.py: $XS_ORACLE, else ../shared/oracle
beside the repository.
EOF
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${XSFUZZ_REAL_CACHE:-$ROOT/build/real}"
ORACLE="${XS_ORACLE:-$(cd "$ROOT/.." && pwd)/shared/oracle}"
SANDBOX="$ROOT/scripts/real-sandbox.sh"
AFLMAP="$ROOT/scripts/real/build/aflmap.py"
only="" drain=0.03 names=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --cache) [[ $# -ge 2 ]] || { echo "--cache needs a folder" >&2; exit 2; }; CACHE="$2"; shift ;;
        --only) [[ $# -ge 2 ]] || { echo "--only needs a value" >&2; exit 2; }; only="$2"; shift ;;
        --drain) [[ $# -ge 2 ]] || { echo "--drain needs a value" >&2; exit 2; }; drain="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "test-real-build.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
        *) names+=("$1") ;;
    esac
    shift
done
case "$only" in ""|conformance|lu-coverage) ;; *) echo "--only: conformance or lu-coverage" >&2; exit 2 ;; esac
export XSFUZZ_REAL_CACHE="$CACHE"

"$ROOT/scripts/real-build.sh" --cache "$CACHE" --quiet
DEBIAN=debian-4.17.5
BUILDS=(plain traced)
KINDS=(oxenstored xenstored)

WORK="$(mktemp -d /tmp/xsfuzz-real-build.XXXXXX)"
# shellcheck disable=SC2317  # run by the trap
cleanup() {
    local r
    for r in "$WORK"/run.*; do [[ ! -f "$r/daemon.pid" ]] || "$SANDBOX" stop "$r" >/dev/null 2>&1 || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=0 passed=0 failures=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=1; failures=$((failures + 1)); }

# Runs TRACE on a fresh daemon of KIND from BUILD; xsclient's output goes to OUT, OUT.err says why not.
run_trace() {  # KIND BUILD TRACE OUT DRAIN
    local run started
    run="$(mktemp -d "$WORK/run.XXXXXX")"
    started="$(XSFUZZ_REAL_BUILD="$2" "$SANDBOX" start "$1" "$run" 2>"$4.err")" || return 1
    python3 "$ORACLE/xsclient.py" --drain "$5" "${started#* }" "$3" > "$4" 2>>"$4.err" || true
    # Still alive after the trace: a crash would otherwise only show as closed connections.
    if ! kill -0 "${started%% *}" 2>/dev/null; then
        echo "the daemon died; its output:" >> "$4.err"; tail -5 "$run/daemon.out" >> "$4.err"; return 1
    fi
    "$SANDBOX" stop "$run" >/dev/null
}

# The trace on Debian's binary and on each build at once (xsclient mostly waits: --drain after each
# reply), then the comparison. 0 when all ran and agree.
compare_trace() {  # KIND TRACE DRAIN
    local kind="$1" trace="$2" name b pids=() ok=0
    name="$(basename "$trace" .jsonl)"
    for b in "$DEBIAN" "${BUILDS[@]}"; do
        run_trace "$kind" "$b" "$trace" "$WORK/$kind.$name.$b" "$3" & pids+=($!)
    done
    for b in "${pids[@]}"; do wait "$b" || ok=1; done
    for b in "${BUILDS[@]}"; do
        cmp -s "$WORK/$kind.$name.$DEBIAN" "$WORK/$kind.$name.$b" || ok=1
    done
    return $ok
}

check_conformance() {
    [[ -f "$ORACLE/xsclient.py" ]] || { fail "conformance: no $ORACLE/xsclient.py (set XS_ORACLE)"; return; }
    local traces=() t n
    if [[ ${#names[@]} -eq 0 ]]; then
        for t in "$ROOT"/tests/conformance/*.jsonl; do [[ $t == *.out.jsonl ]] || traces+=("$t"); done
    else
        for n in "${names[@]}"; do
            [[ -f "$ROOT/tests/conformance/$n.jsonl" ]] || { echo "no such trace: $n" >&2; exit 2; }
            traces+=("$ROOT/tests/conformance/$n.jsonl")
        done
    fi
    local kind trace name build out ref
    for kind in "${KINDS[@]}"; do
        for trace in "${traces[@]}"; do
            name="$(basename "$trace" .jsonl)"
            # A watch event that arrives after the drain lands in the next request's group: on a busy
            # machine that can differ between two runs of one binary. Only a difference that stays
            # with a 10 times longer drain counts.
            compare_trace "$kind" "$trace" "$drain" || compare_trace "$kind" "$trace" "$(awk -v d="$drain" 'BEGIN { print d * 10 }')" || true
            ref="$WORK/$kind.$name.$DEBIAN"
            if [[ -s "$ref.err" ]] && ! grep -q . "$ref"; then
                fail "conformance $kind/$name: Debian's $kind did not run the trace: $(head -3 "$ref.err")"; continue
            fi
            for build in "${BUILDS[@]}"; do
                out="$WORK/$kind.$name.$build"
                if ! grep -q . "$out" 2>/dev/null; then
                    fail "conformance $kind/$name $build: no output: $(head -3 "$out.err")"
                elif diff -u --label "$DEBIAN" --label "$build" "$ref" "$out" > "$out.diff"; then
                    pass "conformance $kind/$name $build = $DEBIAN ($(wc -l < "$out") packets)"
                else
                    fail "conformance $kind/$name $build differs from $DEBIAN:"
                    head -20 "$out.diff"
                fi
            done
        done
    done
}

check_lu_coverage() {
    local kind out
    for kind in "${KINDS[@]}"; do
        out="$WORK/aflmap.$kind"
        if python3 "$AFLMAP" --sandbox "$SANDBOX" --build traced "$kind" "$WORK/lu-$kind" > "$out" 2>&1; then
            pass "lu-coverage $kind traced: $(tail -1 "$out")"
        else
            fail "lu-coverage $kind traced:"
            cat "$out"
        fi
    done
}

[[ -n "$only" && "$only" != conformance ]] || check_conformance
[[ -n "$only" && "$only" != lu-coverage ]] || check_lu_coverage
echo "test-real-build: $passed passed, $failures failed in $SECONDS s"
exit "$failed"
