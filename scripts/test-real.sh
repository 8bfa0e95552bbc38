#!/usr/bin/env bash
# End-to-end checks of `xsfuzz real` against Debian's real oxenstored and C xenstored: the sandbox
# from a clean cache, the daemon-backed xunit tests, short `real lu` and `real diff` campaigns, the
# DEBUG watches scenario across a live update, and the coverage-guided target end to end: both daemons
# built from Debian's source into the clean cache (scripts/real-build.sh), then
# scripts/test-real-afl.sh --daemon xenstored --time 60 (afl-showmap sees the daemon's edges, a 60 s
# afl-fuzz campaign runs at >= 95 % stability, no daemon outlives a killed xsfuzz). One line per
# check, "PASS ..." or "FAIL ..."; exits non-zero if any check failed. Needs: the .NET SDK, gcc,
# binutils, apt (the daemons' packages are only downloaded; real-build.sh installs afl++ and
# ocaml-nox), build/afl (scripts/setup.sh, run by test-real-afl.sh); about 7 minutes on 2 cores.
#
# Environment: XSFUZZ_REAL_TEST_CACHE  the sandbox cache for this test (default build/real-test;
#              it is wiped first, the user's build/real is not touched)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${XSFUZZ_REAL_TEST_CACHE:-$ROOT/build/real-test}"
ARTIFACTS="$ROOT/build/real-test-artifacts"
SANDBOX="$ROOT/scripts/real-sandbox.sh"
WORK="$(mktemp -d)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

failures=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

cleanup() {
    "$SANDBOX" --cache "$CACHE" stop-all >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

cd "$ROOT" || exit 1
started=$(now)

# --- build (own artifacts folder: never collides with other builds of the tree) -------------------
if dotnet build fuzz/XsFuzz.Cli/XsFuzz.Cli.csproj -c Release --artifacts-path "$ARTIFACTS" -nologo -v q >"$WORK/build.log" 2>&1 \
    && dotnet build tests/XsFuzz.Real.Tests/XsFuzz.Real.Tests.csproj -c Release --artifacts-path "$ARTIFACTS" -nologo -v q >>"$WORK/build.log" 2>&1; then
    pass "build xsfuzz and the real-daemon tests"
else
    tail -20 "$WORK/build.log"
    fail "build xsfuzz and the real-daemon tests"
    exit 1
fi
XSFUZZ="$ARTIFACTS/bin/XsFuzz.Cli/release/xsfuzz"

# --- sandbox ---------------------------------------------------------------------------------------
t=$(now)
if "$SANDBOX" --cache "$CACHE" setup --clean >"$WORK/setup.log" 2>&1; then
    pass "sandbox set up from a clean cache in $(since "$t") s (download, dpkg -x, stubs and shim built)"
else
    cat "$WORK/setup.log"
    fail "sandbox set up from a clean cache"
    exit 1
fi
if dpkg-query -W -f='${Status}' xen-utils-4.17 2>/dev/null | grep -q installed; then
    fail "xen-utils-4.17 is installed on the system (the sandbox must only download it)"
else
    pass "nothing installed with apt (xen-utils-4.17 only downloaded and unpacked)"
fi
t=$(now)
"$SANDBOX" --cache "$CACHE" setup --quiet >/dev/null 2>&1
took=$(since "$t")
if awk -v s="$took" 'BEGIN { exit !(s < 3) }'; then pass "setup again is a no-op (${took} s)"; else fail "setup again took ${took} s"; fi

# Both daemons at once, each in its own run folder, stopped by pid.
pids=()
ok=1
for kind in oxenstored xenstored; do
    line=$("$SANDBOX" --cache "$CACHE" start "$kind" "$CACHE/run/test-$kind" 2>"$WORK/start-$kind.log") || { cat "$WORK/start-$kind.log"; ok=0; continue; }
    pid=${line%% *}
    socket=${line#* }
    if kill -0 "$pid" 2>/dev/null && [[ -S "$socket" ]]; then pids+=("$pid"); else ok=0; fi
done
if [[ $ok == 1 && ${#pids[@]} == 2 ]]; then
    pass "both daemons started at once (pids ${pids[*]}), each on its own socket"
else
    fail "starting oxenstored and xenstored"
fi
"$SANDBOX" --cache "$CACHE" stop-all >/dev/null
sleep 0.2
alive=0
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
if [[ $alive == 0 ]]; then pass "both daemons stopped by pid"; else fail "a daemon survived stop-all"; fi

# --- xunit tests that start daemons (required here, not skipped) -----------------------------------
if XSFUZZ_REAL_TESTS=1 XSFUZZ_REAL_CACHE="$CACHE" XSFUZZ_REAL_SANDBOX="$SANDBOX" \
    dotnet test tests/XsFuzz.Real.Tests/XsFuzz.Real.Tests.csproj -c Release --artifacts-path "$ARTIFACTS" --no-build -nologo \
    >"$WORK/xunit.log" 2>&1; then
    pass "xunit: $(sed -n 's/.*Passed: *\([0-9]*\),.*/\1/p' "$WORK/xunit.log" | tail -1) real-daemon and runner tests passed"
else
    tail -30 "$WORK/xunit.log"
    fail "xunit: tests/XsFuzz.Real.Tests"
fi

# --- short campaigns on 200 corpus inputs ----------------------------------------------------------
"$XSFUZZ" corpus --out "$WORK/corpus" --count 200 >/dev/null
campaign() {  # NAME ARGS...
    local name="$1"; shift
    local out="$WORK/$name" t status
    t=$(now)
    "$XSFUZZ" real "$@" --cache "$CACHE" --sandbox "$SANDBOX" --out "$out" "$WORK/corpus" >"$WORK/$name.out" 2>"$WORK/$name.err"
    status=$?
    local summary="$WORK/$name.out"
    # Every domU command runs over its domain's ring: the summary must count some sent and none skipped.
    local domu; domu="$(sed -n 's/^domU commands *//p' "$summary")"
    if [[ $status -le 1 ]] && grep -q '^scenarios ' "$summary" && ! grep -q '^ABORTED' "$summary" \
        && grep -q ' 0 sandbox errors' "$summary" && [[ "$domu" =~ ^[1-9][0-9]*\ sent\ over\ rings,\ 0\ not\ run$ ]]; then
        pass "real $* on 200 corpus inputs in $(since "$t") s: $(sed -n 's/^scenarios *//p' "$summary"); domU commands: $domu; $(grep -c '^  [A-Za-z]' "$summary") signatures"
    else
        tail -n 20 "$WORK/$name.err" "$summary"
        fail "real $* on 200 corpus inputs (exit $status)"
    fi
}
campaign lu-oxenstored lu --daemon oxenstored
campaign lu-xenstored lu --daemon xenstored
campaign diff-oxenstored diff --daemon oxenstored

# --- DEBUG watches across a live update: reported, and in the allow-list ---------------------------
cat >"$WORK/debug-watches.txt" <<'EOF'
# xsfuzz scenario
A1 tx0 WATCH /a t1
A2 tx0 WATCH /b t2
D0 tx0 DEBUG watches
LIVE-UPDATE
D0 tx0 DEBUG watches
EOF
"$XSFUZZ" real lu --daemon oxenstored --cache "$CACHE" --sandbox "$SANDBOX" --out "$WORK/watches" "$WORK/debug-watches.txt" \
    >"$WORK/watches.out" 2>&1
status=$?
if [[ $status == 0 ]] && grep -q '^  known *1  reply to DEBUG watches: DEBUG payload$' "$WORK/watches.out" \
    && grep -q '^known: yes' "$WORK"/watches/001-*.txt; then
    pass "DEBUG watches across oxenstored's live update: reported (A1/A2 renamed) and known from the allow-list"
else
    cat "$WORK/watches.out"
    fail "DEBUG watches across oxenstored's live update (exit $status)"
fi

# --- shell reproducers of the allow-list's traces, run against the sandbox daemons ------------------
# `xsfuzz real ... --emit-shell` writes a finding as xenstore-utils commands for a real host. Each
# trace of known-differences.txt is emitted, then run with Debian's xenstore-utils against a fresh
# sandbox daemon (XENSTORED_PATH), with scripts/real/xenstore-control.c standing in for
# xenstore-control (Debian's needs a hypervisor). A script must run to its end (exit 0) and its
# live updates must have been sent.
if ! command -v xenstore-write >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xenstore-utils >/dev/null
fi
mkdir -p "$WORK/bin" "$WORK/shell"
if gcc -O2 -Wall -Wextra -Werror -o "$WORK/bin/xenstore-control" scripts/real/xenstore-control.c -l:libxenstore.so.4 2>"$WORK/standin.log"; then
    info="$("$SANDBOX" --cache "$CACHE" info)"
    emitted=0 ran=0 not_shown=0 bad=""
    n=0
    while read -r mode daemon b64; do
        n=$((n + 1))
        script="$WORK/shell/$n-$mode-$daemon.sh"
        "$XSFUZZ" real "$mode" --daemon "$daemon" --base64 "$b64" --cache "$CACHE" --sandbox "$SANDBOX" --emit-shell "$script" \
            >"$script.emit" 2>&1
        status=$?
        if [[ $status == 1 ]]; then not_shown=$((not_shown + 1)); continue; fi
        [[ $status == 0 && -s "$script" ]] || { bad+=" $n:emit-exit-$status"; continue; }
        emitted=$((emitted + 1))
        binary="$(sed -n "s/^$daemon=//p" <<<"$info")"
        line=$("$SANDBOX" --cache "$CACHE" start "$daemon" "$CACHE/run/shell-$n" 2>"$script.start") || { bad+=" $n:start"; continue; }
        socket=${line#* }
        XENSTORED_PATH="$socket" XENSTORED_BINARY="$binary" PATH="$WORK/bin:$PATH" timeout 300 sh "$script" >"$script.out" 2>&1
        status=$?
        "$SANDBOX" --cache "$CACHE" stop "$CACHE/run/shell-$n" >/dev/null 2>&1
        lus=$(grep -c '^run xenstore-control live-update' "$script")
        sent=$(grep -c '^\$ xenstore-control live-update' "$script.out")
        if [[ $status == 0 && $lus == "$sent" ]]; then ran=$((ran + 1)); else bad+=" $n:exit-$status"; fi
    done < <(sed -n 's/^trace: xsfuzz real \(lu\|diff\) --daemon \([a-z]*\) --base64 \([^ ]*\)$/\1 \2 \3/p' fuzz/XsFuzz.RealDaemons/known-differences.txt)
    if [[ $n -gt 0 && -z "$bad" && $ran == "$emitted" && $emitted -gt 0 ]]; then
        pass "shell reproducers: $emitted of $n allow-list traces emitted (${not_shown} did not disagree on this run) and all ran against the sandbox daemons"
    else
        for f in "$WORK"/shell/*.out; do echo "--- $f"; tail -5 "$f"; done
        fail "shell reproducers: $emitted emitted, $ran ran, $not_shown not shown, problems:$bad"
    fi
else
    cat "$WORK/standin.log"
    fail "build the xenstore-control stand-in (scripts/real/xenstore-control.c)"
fi

# --- the coverage-guided target: instrumented daemons from the clean cache, then AFL end to end ------
# Only the C daemon's campaign: oxenstored's build is checked here, its campaign (minutes of one-second
# refusals) by scripts/test-real-afl.sh --daemon oxenstored outside CI.
t=$(now)
if scripts/real-build.sh --cache "$CACHE" >"$WORK/real-build.log" 2>&1; then
    pass "traced and plain daemons built from Debian's source into the clean cache in $(since "$t") s"
    # XSA-484 (public, SECURITY.md): a guest's RESET_WATCHES inside its transaction aborts Debian 12's
    # 4.17.5+72 C daemon over its ring; the security update the sandbox runs by default has the fix.
    xsa484=(real lu --daemon xenstored --known /dev/null --cache "$CACHE" --sandbox "$SANDBOX" --base64 AQAAAMD/qgH/5QF4/xwB)
    XSFUZZ_REAL_BUILD=debian-4.17.5 "$XSFUZZ" "${xsa484[@]}" --out "$WORK/xsa484-old" >"$WORK/xsa484-old.out" 2>&1 || true
    "$XSFUZZ" "${xsa484[@]}" --out "$WORK/xsa484-new" >"$WORK/xsa484-new.out" 2>&1 || true
    if grep -q "A died: xenstored_transaction.c:654: conn_delete_all_transactions" "$WORK/xsa484-old.out" \
            && grep -q "verdict: no new disagreement" "$WORK/xsa484-new.out"; then
        pass "XSA-484 over a guest's ring: Debian's 4.17.5+72 xenstored aborts, the sandbox's default binary does not"
    else
        tail -5 "$WORK/xsa484-old.out" "$WORK/xsa484-new.out"
        fail "XSA-484 over a guest's ring: expected an abort of 4.17.5+72 only"
    fi
    t=$(now)
    XSFUZZ_REAL_CACHE="$CACHE" scripts/test-real-afl.sh --daemon xenstored --time 60 >"$WORK/real-afl.log" 2>&1
    status=$?
    grep -E '^(PASS|FAIL|INFO|    \|)' "$WORK/real-afl.log"
    afl_failures=$(grep -c '^FAIL' "$WORK/real-afl.log")
    failures=$((failures + afl_failures))
    if [[ $status != 0 && $afl_failures == 0 ]]; then
        tail -20 "$WORK/real-afl.log"
        fail "scripts/test-real-afl.sh --daemon xenstored exited $status"
    fi
    echo "INFO scripts/test-real-afl.sh --daemon xenstored --time 60 took $(since "$t") s"
else
    tail -20 "$WORK/real-build.log"
    fail "build the traced and plain daemons (scripts/real-build.sh --cache $CACHE)"
fi

# --- nothing left running ---------------------------------------------------------------------------
left=$("$SANDBOX" --cache "$CACHE" status)
if [[ -z "$left" ]] && ! pgrep -f "$CACHE/root/" >/dev/null; then
    pass "no daemon left running"
else
    fail "daemons left running: $left"
fi

echo "test-real.sh: $failures failed, took $(since "$started") s"
[[ $failures == 0 ]]
