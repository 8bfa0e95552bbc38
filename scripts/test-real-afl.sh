#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=test-real-afl.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/test-real-afl.sh [--daemon NAME] [--time SECONDS] [--keep]

End-to-end checks of `xsfuzz afl --daemon` (afl-fuzz on the real, traced daemons), one line each
('PASS name' or 'FAIL name: why'), then 'N passed, N failed'; exits 1 if any failed. Sets up what
it needs: scripts/setup.sh (build/afl), scripts/real-sandbox.sh setup, scripts/real-build.sh.
Per daemon (xenstored, then oxenstored):
  - afl-showmap on one corpus input that live-updates shows more tuples with the traced daemons than
    with the plain ones (the same harness, daemons without instrumentation): the daemons' edges
    reach the map afl-fuzz reads
  - afl-fuzz -V SECONDS on one core from three corpus seeds: it runs (execs_done > 0), the target
    survives to the campaign's full length (afl-fuzz ends on its -V, not on a dead target), at a
    stability of at least 80 % (a floor against collapse: single 60 s runs measure 77-99 %; issue
    13's goal of 95 % is not met yet, and a run below it says so in an INFO line)
Then, for the first daemon: no daemon outlives a SIGKILLed xsfuzz, neither the fresh ones of
`xsfuzz real lu` nor the fork servers (and their copies) of `xsfuzz afl --daemon`.
It prints (INFO lines) exec/s, stability, the map's tuples and any crash the campaign saved.

  --daemon NAME   only this daemon (xenstored or oxenstored)
  --time SECONDS  length of each campaign (default 60)
  --keep          keep the work dir (it is kept anyway when a check fails)
  -h, --help      this text
EOF
}

daemons=(xenstored oxenstored) seconds=60 keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --daemon) xs_need_value "$@"
            [[ "$2" == xenstored || "$2" == oxenstored ]] || xs_usage_error "--daemon must be xenstored or oxenstored"
            daemons=("$2"); shift ;;
        --time) xs_need_value "$@"; { xs_is_uint "$2" && [[ "$2" -ge 10 ]]; } || xs_usage_error "--time needs whole seconds, at least 10"
            seconds="$2"; shift ;;
        --keep) keep=1 ;;
        -h|--help) usage; exit 0 ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done

work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-test-real-afl.XXXXXX")"
# shellcheck source=lib/checks.sh
source "$XS_ROOT/scripts/lib/checks.sh"

# 0. set-up: the instrumented harness, the sandbox, the traced and plain daemons
if "$XS_ROOT/scripts/setup.sh" >"$work/setup.log" 2>&1 \
    && "$XS_ROOT/scripts/real-sandbox.sh" setup >>"$work/setup.log" 2>&1 \
    && "$XS_ROOT/scripts/real-build.sh" >>"$work/setup.log" 2>&1; then
    pass "set-up: build/afl, the sandbox, the traced and plain daemons"
else
    fail "set-up" "exit $?" "$work/setup.log"
    finish
    exit 1
fi
xs_afl_env
# One afl-fuzz, unpinned: the daemons and the harness are three processes, and on a shared machine
# other campaigns may hold every core (afl-fuzz then refuses to start).
export AFL_NO_AFFINITY=1

# One value of afl-fuzz's fuzzer_stats: stat FILE KEY
stat() { awk -F' *: *' -v k="$2" '$1 == k {print $2}' "$1"; }

# Seeds with live updates and each kind of command: a campaign of a minute calibrates them first.
seeds="$work/seeds"
mkdir -p "$seeds"
for f in 000-store-ops.bin 001-watches-queued-events.bin 002-transactions-across-update.bin; do
    [[ -f "$XS_CORPUS/$f" ]] || { fail "seeds" "no corpus/$f"; finish; exit 1; }
    cp "$XS_CORPUS/$f" "$seeds/"
done
probe="$seeds/002-transactions-across-update.bin"

for daemon in "${daemons[@]}"; do
    # A refused oxenstored update waits out its one second: a scenario can take several.
    timeout_ms=5000
    [[ $daemon == oxenstored ]] && timeout_ms=20000

    # 1. the daemons' edges reach the map: traced against plain daemons, same harness, same input
    # afl-showmap runs SharpFuzz targets only in its -i (fork server) mode.
    mkdir -p "$work/showmap-in"
    cp -- "$probe" "$work/showmap-in/probe"
    declare -A tuples=()
    for build in traced plain; do
        out="$work/showmap-$daemon-$build"
        afl-showmap -t "$timeout_ms" -m none -i "$work/showmap-in" -o "$out" -- "$XS_XSFUZZ_AFL" afl --daemon "$daemon" --build "$build" \
            >"$out.log" 2>&1 || true
        tuples[$build]=0
        [[ ! -f "$out/probe" ]] || tuples[$build]="$(wc -l <"$out/probe")"
    done
    info "$daemon: afl-showmap tuples on $(basename "$probe"): ${tuples[traced]} with traced daemons, ${tuples[plain]} with plain ones"
    if [[ ${tuples[plain]} -gt 0 && ${tuples[traced]} -gt $((tuples[plain] + 100)) ]]; then
        pass "$daemon: the traced daemons add $((tuples[traced] - tuples[plain])) tuples to the harness's ${tuples[plain]}"
    else
        fail "$daemon: daemon edges in afl-showmap" "traced ${tuples[traced]}, plain ${tuples[plain]} (want plain > 0, traced > plain + 100)" \
            "$work/showmap-$daemon-traced.log"
    fi

    # 2. a campaign on one core
    out="$work/afl-$daemon"
    log="$work/afl-$daemon.log"
    set +e
    timeout -k 10 $((seconds + 300)) afl-fuzz -i "$seeds" -o "$out" -V "$seconds" -t "$timeout_ms" -m none \
        -- "$XS_XSFUZZ_AFL" afl --daemon "$daemon" >"$log" 2>&1
    rc=$?
    set -e
    stats="$out/default/fuzzer_stats"
    if [[ ! -f "$stats" ]]; then
        fail "$daemon: afl-fuzz campaign" "no fuzzer_stats (exit $rc)" "$log"
        continue
    fi
    execs="$(stat "$stats" execs_done)" eps="$(stat "$stats" execs_per_sec)" stability="$(stat "$stats" stability)"
    run_time="$(stat "$stats" run_time)" edges="$(stat "$stats" edges_found)" map="$(stat "$stats" bitmap_cvg)"
    crashes="$(stat "$stats" saved_crashes)" hangs="$(stat "$stats" saved_hangs)" paths="$(stat "$stats" corpus_count)"
    info "$daemon: ${execs} execs in ${run_time} s (${eps} exec/s), stability ${stability}, edges ${edges} (map ${map}), corpus ${paths}, crashes ${crashes}, hangs ${hangs}"
    # afl-fuzz writes no stats when it aborts, so the newest queue entry's name (time:MS,execs:N) says
    # how far fuzzing got beyond the dry run.
    last="$(find "$out/default/queue" -maxdepth 1 -name 'id:*execs:*' -printf '%f\n' | LC_ALL=C sort | tail -n 1)"
    q_execs="$(sed -n 's/.*,execs:\([0-9]*\).*/\1/p' <<<"$last")" q_ms="$(sed -n 's/.*,time:\([0-9]*\).*/\1/p' <<<"$last")"
    if [[ "${q_execs:-0}" -gt 0 || "${run_time:-0}" -gt 0 ]]; then
        pass "$daemon: afl-fuzz fuzzed beyond its dry run: ${execs} execs in ${run_time} s by its stats, new paths up to ${q_execs:-0} execs (${q_ms:-0} ms)"
    else
        fail "$daemon: afl-fuzz campaign" "no fuzzing beyond the dry run (execs_done=${execs:-none}, exit $rc)" "$log"
    fi
    # The stats of a campaign whose target died are those written before it died: stability is
    # judged only on one that ran its full length.
    full=1
    if grep -q 'Unable to communicate with fork server' "$log" || [[ $rc -ne 0 || "${run_time:-0}" -lt $((seconds - 1)) ]]; then
        full=0
        fail "$daemon: full length" "the campaign ended after ${run_time:-?} s of $seconds (exit $rc; newest path at ${q_ms:-?} ms); stability not judged" "$log"
    else
        pass "$daemon: the target survived the full ${seconds} s (run_time ${run_time} s)"
    fi
    if [[ $full -eq 1 ]]; then
        if awk -v s="${stability%\%}" 'BEGIN { exit !(s + 0 >= 80) }'; then
            pass "$daemon: stability $stability >= 80 % (the floor)"
            awk -v s="${stability%\%}" 'BEGIN { exit !(s + 0 >= 95) }' \
                || info "$daemon: stability $stability is below issue 13's goal of 95 % (not met yet)"
        else
            fail "$daemon: stability" "$stability < 80 %" "$log"
        fi
    fi
    for crash in "$out"/default/crashes/id:*; do
        [[ -f "$crash" ]] || continue
        info "$daemon: crash $(basename "$crash"): replay with: $XS_XSFUZZ real lu --daemon $daemon $crash"
    done
done

# 3. kill -9 of xsfuzz leaves no daemon behind. A daemon's command line names its run folder,
# RUN_ROOT/{c,o}<xsfuzz pid>-<n>, which is how its survivors are found.
daemons_of() { pgrep -f "/[co]$1-[0-9]+/" || true; }
orphans() {  # NAME PID: waits for a daemon of PID, kills PID with SIGKILL, checks that none survives
    local name="$1" pid="$2" i found=""
    for ((i = 0; i < 600; i++)); do
        found="$(daemons_of "$pid")"
        [[ -z "$found" ]] || break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z "$found" ]]; then
        fail "$name" "no daemon of xsfuzz (pid $pid) seen within 60 s"
        kill -9 "$pid" 2>/dev/null || true
        return
    fi
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    local left=""
    for ((i = 0; i < 30; i++)); do
        left="$(daemons_of "$pid")"
        [[ -n "$left" ]] || break
        sleep 0.1
    done
    if [[ -z "$left" ]]; then
        pass "$name: $(wc -w <<<"$found") daemon process(es) running at the kill, none left 3 s after"
    else
        fail "$name" "daemons left after kill -9 of xsfuzz: $(tr '\n' ' ' <<<"$left")"
        xargs -r kill -9 <<<"$left" 2>/dev/null || true
    fi
}
daemon="${daemons[0]}"
"$XS_XSFUZZ" real lu --daemon "$daemon" --time 120s --out "$work/orphans-lu" >"$work/orphans-lu.log" 2>&1 &
orphans "$daemon: kill -9 of xsfuzz real lu" $!
mkdir -p "$work/orphans-in"
cp -- "$XS_CORPUS"/*.bin "$work/orphans-in/"
afl-showmap -t 20000 -m none -i "$work/orphans-in" -o "$work/orphans-showmap" -- "$XS_XSFUZZ_AFL" afl --daemon "$daemon" \
    >"$work/orphans-showmap.log" 2>&1 &
showmap=$!
# afl-showmap's first child only reports the map size and exits: the target is the process with
# daemons, its child, or its grandchild under XSFUZZ_AFL_MODE=out-of-process (SharpFuzz's other fork server).
target=""
for ((i = 0; i < 1200; i++)); do
    for child in $(pgrep -P "$showmap" || true); do
        for process in "$child" $(pgrep -P "$child" || true); do
            [[ -z "$(daemons_of "$process")" ]] || target="$process"
        done
    done
    [[ -z "$target" ]] || break
    sleep 0.1
done
if [[ -n "$target" ]]; then
    orphans "$daemon: kill -9 of xsfuzz afl --daemon (fork servers)" "$target"
else
    fail "$daemon: kill -9 of xsfuzz afl --daemon" "no target of afl-showmap started daemons within 120 s" "$work/orphans-showmap.log"
fi
kill "$showmap" 2>/dev/null || true
wait "$showmap" 2>/dev/null || true

finish
