#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=fuzz.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
usage: scripts/fuzz.sh [--jobs N] [--time DURATION] [--out DIR] [--fault NAME] [--resume]
                       [--timeout MS] [--status SECONDS] [--empty] [--daemon NAME]

Runs an AFL++ campaign on the instrumented target (build/afl/xsfuzz afl), headless: one -M
worker and N-1 -S workers with varied power schedules, each pinned to its own CPU, seeded from
corpus/ (or from 'xsfuzz corpus' when corpus/ has no file). With --fault, seeds that already
disagree are set aside in OUT/seed-crashes/ rather than fuzzed. Runs scripts/setup.sh first.
Prints a one-line status every few seconds and, at the end, a summary per worker (execs,
exec/s, paths, crashes, stability), afl-whatsup's summary, and the 'xsfuzz replay' command
for each unique crash. Ctrl-C (or the time limit) stops every worker it started.

  --jobs N          workers (default: all CPUs, here $(xs_cpus | xs_count))
  --time DURATION   stop after this long: 90, 90s, 10m, 2h (default: run until Ctrl-C)
  --out DIR         AFL output (sync) dir (default: findings/); must not exist or be empty
                    unless --resume is given
  --fault NAME      plant this live-update fault (see 'build/plain/xsfuzz faults')
  --resume          continue the campaign in --out (AFL_AUTORESUME); the fault must match
  --timeout MS      afl-fuzz -t per execution (default: $XS_DEFAULT_TIMEOUT_MS)
  --status SECONDS  status line interval (default: 10; 0 = none)
  --empty           fuzz the empty SharpFuzz target ('xsfuzz afl --empty'): the baseline
                    that bench.sh compares against
  --daemon NAME     fuzz the real daemons' live update ('xsfuzz afl --daemon NAME', NAME
                    xenstored or oxenstored): two traced daemons per input, their edges in
                    AFL's map. Builds them first (real-sandbox.sh setup, real-build.sh); the
                    default --timeout is then 20000 (oxenstored waits 1 s per refused update);
                    crashes replay with 'xsfuzz real lu --daemon NAME FILE'
  -h, --help        this text

The environment reaches afl-fuzz and the target: e.g. AFL_BENCH_UNTIL_CRASH=1 ends a worker
at its first crash (bench.sh); XSFUZZ_AFL_MODE=out-of-process runs 'xsfuzz afl' on SharpFuzz's
out-of-process fork server, which survives hangs (slower; workers are then not pinned) instead
of the default in-process one, which is faster but stops a worker at the first hang.

Exit status: 0 when the campaign ran to its end (crashes or not), 1 when a worker failed,
2 on bad usage, 130 after Ctrl-C.
EOF
}

jobs="" time_arg="" out="" fault="" resume=0 timeout_ms="" status_every=10 empty=0 daemon=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --jobs) xs_need_value "$@"; jobs="$2"; shift ;;
        --time) xs_need_value "$@"; time_arg="$2"; shift ;;
        --out) xs_need_value "$@"; out="$2"; shift ;;
        --fault) xs_need_value "$@"; fault="$2"; shift ;;
        --resume) resume=1 ;;
        --timeout) xs_need_value "$@"; timeout_ms="$2"; shift ;;
        --status) xs_need_value "$@"; status_every="$2"; shift ;;
        --empty) empty=1 ;;
        --daemon) xs_need_value "$@"; daemon="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done

mapfile -t cpus < <(xs_cpus)
if [[ -z "$jobs" ]]; then
    jobs=${#cpus[@]}
fi
xs_is_uint "$jobs" && [[ $jobs -ge 1 ]] || xs_usage_error "--jobs needs a positive integer, not '$jobs'"
case "$daemon" in
    ''|xenstored|oxenstored) ;;
    *) xs_usage_error "--daemon must be xenstored or oxenstored, not '$daemon'" ;;
esac
[[ -z "$daemon" || ( -z "$fault" && $empty -eq 0 ) ]] || xs_usage_error "--daemon runs the real daemons: no --fault or --empty"
# A daemon campaign starts two daemons per input, and oxenstored waits 1 s per refused update.
if [[ -z "$timeout_ms" ]]; then
    timeout_ms="$XS_DEFAULT_TIMEOUT_MS"
    [[ -z "$daemon" ]] || timeout_ms=20000
fi
xs_is_uint "$timeout_ms" && [[ $timeout_ms -ge 10 ]] || xs_usage_error "--timeout needs milliseconds (>= 10), not '$timeout_ms'"
xs_is_uint "$status_every" || xs_usage_error "--status needs seconds, not '$status_every'"
seconds=0
if [[ -n "$time_arg" ]]; then
    seconds="$(xs_duration_seconds "$time_arg")" && [[ $seconds -gt 0 ]] \
        || xs_usage_error "--time needs a duration like 90s, 10m or 2h, not '$time_arg'"
fi
out="$(xs_abspath "${out:-$XS_ROOT/findings}")"

# Never touch an existing campaign unless asked to resume it.
if [[ -e "$out" && ! -d "$out" ]]; then
    xs_die "--out $out exists and is not a directory"
fi
if [[ $resume -eq 0 && -d "$out" && -n "$(ls -A "$out")" ]]; then
    xs_die "--out $out already holds a campaign: add --resume to continue it, or choose another --out"
fi

xs_ensure_build
xs_check_fault "$fault"
if [[ -n "$daemon" ]]; then
    "$XS_ROOT/scripts/real-sandbox.sh" setup --quiet || xs_die "scripts/real-sandbox.sh setup failed"
    "$XS_ROOT/scripts/real-build.sh" --quiet || xs_die "scripts/real-build.sh failed"
fi
mkdir -p "$out/.logs"
if [[ $resume -eq 1 && -f "$out/$XS_MARKER" ]]; then
    old_fault="$(xs_marker_get "$out" fault || true)"
    [[ "$old_fault" == "$fault" ]] \
        || xs_die "--resume: the campaign in $out ran with --fault '${old_fault}', not '${fault}'"
    [[ "$(xs_marker_get "$out" empty || echo 0)" == "$empty" ]] \
        || xs_die "--resume: the campaign in $out ran with a different --empty"
    [[ "$(xs_marker_get "$out" daemon || true)" == "$daemon" ]] \
        || xs_die "--resume: the campaign in $out ran with a different --daemon"
    echo "resumed=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$out/$XS_MARKER"
else
    {
        echo "fault=$fault"
        echo "empty=$empty"
        echo "daemon=$daemon"
        echo "timeout_ms=$timeout_ms"
        echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    } >"$out/$XS_MARKER"
fi

# Seeds: every input file of corpus/, else a generated set.
seeds="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-seeds.XXXXXX")"
workers=() names=()
cleanup() {
    local pid
    for pid in "${workers[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    local deadline=$((SECONDS + 10))
    for pid in "${workers[@]}"; do
        while kill -0 "$pid" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    workers=()
    rm -rf "$seeds"
}
trap cleanup EXIT
stop_requested=0
trap 'stop_requested=1' INT TERM

n_seeds=0
if [[ -d "$XS_CORPUS" ]]; then
    while IFS= read -r f; do
        cp -- "$f" "$seeds/"
        n_seeds=$((n_seeds + 1))
    done < <(xs_list_inputs "$XS_CORPUS")
fi
if [[ $n_seeds -eq 0 ]]; then
    "$XS_XSFUZZ" corpus --out "$seeds" >/dev/null || xs_die "'xsfuzz corpus --out $seeds' failed"
    n_seeds="$(xs_list_inputs "$seeds" | xs_count)"
    [[ $n_seeds -gt 0 ]] || xs_die "'xsfuzz corpus' wrote no seed"
    seed_origin="xsfuzz corpus (corpus/ has no file)"
else
    seed_origin="corpus/"
fi

# With a planted fault some seeds may already disagree: AFL would skip them, and abort if none is
# left. They are set aside in $out/seed-crashes/ (and reported); AFL starts from the others, or
# from a one-byte input when none is left.
seed_crashes=0
if [[ -n "$fault" && $empty -eq 0 ]]; then
    while IFS= read -r f; do
        rc=0
        "$XS_XSFUZZ" replay "$f" --fault "$fault" >/dev/null 2>&1 || rc=$?
        case $rc in
            0) ;;
            1) mkdir -p "$out/seed-crashes"
               mv -f -- "$f" "$out/seed-crashes/"
               seed_crashes=$((seed_crashes + 1)) ;;
            *) xs_die "'xsfuzz replay $f --fault $fault' exited $rc" ;;
        esac
    done < <(xs_list_inputs "$seeds")
    if [[ $seed_crashes -gt 0 ]]; then
        xs_log "$seed_crashes of $n_seeds seeds already disagree under --fault $fault: set aside in $out/seed-crashes/"
    fi
    if [[ $seed_crashes -eq $n_seeds ]]; then
        printf '\0' >"$seeds/one-zero-byte"
        rc=0
        "$XS_XSFUZZ" replay "$seeds/one-zero-byte" --fault "$fault" >/dev/null 2>&1 || rc=$?
        [[ $rc -eq 0 ]] || xs_die "every seed, even a one-byte input, disagrees under --fault $fault: nothing for AFL to start from"
        xs_log "AFL starts from a one-byte input"
    fi
fi

xs_afl_env
[[ $resume -eq 0 ]] || export AFL_AUTORESUME=1

# Power schedules, as AFL++'s fuzzing_in_depth.md suggests: the main node on the default (fast),
# the secondaries spread over the others.
schedules=(fast explore coe lin quad exploit rare seek mmopt)
target=()
if [[ $empty -eq 1 ]]; then
    xs_target_cmd target "$fault" --empty
elif [[ -n "$daemon" ]]; then
    xs_target_cmd target "" --daemon "$daemon"
else
    xs_target_cmd target "$fault"
fi

pin=1
if [[ $jobs -gt ${#cpus[@]} ]]; then
    pin=0
    xs_log "warning: $jobs workers on ${#cpus[@]} CPUs: not pinning, expect lower exec/s per worker"
elif [[ "${XSFUZZ_AFL_MODE:-}" == out-of-process ]]; then
    pin=0   # its fork server and child process on one pinned core run at half speed (measured)
fi
[[ $pin -eq 1 ]] || export AFL_NO_AFFINITY=1

limit="until Ctrl-C"
[[ $seconds -eq 0 ]] || limit="${seconds}s"
xs_log "campaign: $jobs worker(s), $limit, ${daemon:+daemon $daemon, }fault '${fault:-none}', -t $timeout_ms, $n_seeds seeds from $seed_origin, out $out"
for ((i = 0; i < jobs; i++)); do
    if [[ $i -eq 0 ]]; then
        name=main role=(-M main)
    else
        name="s$i" role=(-S "s$i")
    fi
    args=(-i "$seeds" -o "$out" "${role[@]}" -p "${schedules[$((i % ${#schedules[@]}))]}" -t "$timeout_ms" -m none)
    [[ $pin -eq 0 ]] || args+=(-b "${cpus[$i]}")
    [[ $seconds -eq 0 ]] || args+=(-V "$seconds")
    afl-fuzz "${args[@]}" -- "${target[@]}" >"$out/.logs/$name.log" 2>&1 &
    workers+=($!)
    names+=("$name")
done

# Status from the workers' files: queue/crash/hang counts are live; execs come from plot_data
# (AFL++ writes it every 5 s after the first minute) or fuzzer_stats (every minute).
count_ids() { find "$out"/*/"$1" -maxdepth 1 -name 'id:*' 2>/dev/null | xs_count; }
status_line() {
    local execs=0 eps=0 w pd last e s fresh=1
    for w in "${names[@]}"; do
        pd="$out/$w/plot_data"
        last="$(grep -v '^#' "$pd" 2>/dev/null | tail -n 1 || true)"
        if [[ -n "$last" ]]; then
            e="$(awk -F', *' '{print $12}' <<<"$last")"
            s="$(awk -F', *' '{print $11}' <<<"$last")"
        elif [[ $(( $(xs_int "$(xs_stat "$out/$w/fuzzer_stats" last_update)") \
                    - $(xs_int "$(xs_stat "$out/$w/fuzzer_stats" start_time)") )) -ge 30 ]]; then
            e="$(xs_stat "$out/$w/fuzzer_stats" execs_done)"
            s="$(xs_stat "$out/$w/fuzzer_stats" execs_per_sec)"
        else
            fresh=0   # AFL++ first publishes execs after about a minute
            continue
        fi
        execs=$((execs + $(xs_int "$e"))); eps=$((eps + $(xs_int "$s")))
    done
    [[ $fresh -eq 1 ]] || { execs="-"; eps="-"; }
    local alive=0 pid
    for pid in "${workers[@]}"; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done
    printf '[%5ss] workers %d/%d  execs %s  exec/s %s  paths %s  crashes %s  hangs %s\n' \
        "$((SECONDS - start))" "$alive" "$jobs" "$execs" "$eps" \
        "$(count_ids queue)" "$(count_ids crashes)" "$(count_ids hangs)"
}

start=$SECONDS
next_status=$((start + status_every))
failed=""
deadline=0
# -V ends the workers (after the dry run, which can be long when resuming); this is a backstop.
# With --daemon the dry run calibrates every seed on real daemons (~0.1-1 s a run, 8 runs a seed:
# 3 min for corpus/'s 170 seeds on xenstored, measured), so the backstop allows 8 s per seed more.
grace=120
[[ -z "$daemon" ]] || grace=$((120 + n_seeds * 8))
[[ $seconds -eq 0 ]] || deadline=$((start + seconds + grace))
declare -A done_rc=()
while :; do
    alive=0
    for idx in "${!workers[@]}"; do
        pid="${workers[$idx]}"
        [[ -z "${done_rc[$idx]:-}" ]] || continue
        if kill -0 "$pid" 2>/dev/null; then
            alive=$((alive + 1))
        else
            rc=0
            wait "$pid" || rc=$?
            done_rc[$idx]=$rc
            # afl-fuzz exits 0 when stopped (-V, a signal, AFL_BENCH_UNTIL_CRASH) and 1 on FATAL.
            if [[ $rc -ne 0 && $stop_requested -eq 0 ]]; then
                failed+="${names[$idx]} "
            fi
        fi
    done
    [[ $alive -gt 0 && -z "$failed" && $stop_requested -eq 0 ]] || break
    if [[ $deadline -gt 0 && $SECONDS -ge $deadline ]]; then
        xs_log "workers still running ${seconds}s + ${grace}s after the start: stopping them"
        break
    fi
    if [[ $status_every -gt 0 && $SECONDS -ge $next_status ]]; then
        status_line
        next_status=$((SECONDS + status_every))
    fi
    sleep 1
done
[[ $status_every -eq 0 ]] || status_line
cleanup
trap - EXIT

for w in $failed; do
    echo "--- worker $w failed; last lines of $out/.logs/$w.log:" >&2
    tail -n 15 "$out/.logs/$w.log" | sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' >&2
    if grep -q 'fork server' "$out/.logs/$w.log" && [[ -f "$out/$w/.cur_input" ]]; then
        echo "The target died (a hang past -t, or a crash .NET cannot catch). The input it was running" >&2
        echo "is $out/$w/.cur_input: check it with 'build/plain/xsfuzz replay'. To fuzz on past such" >&2
        echo "inputs, use XSFUZZ_AFL_MODE=out-of-process (slower, restarts the target instead)." >&2
    fi
done

# Summary.
echo
echo "=== campaign summary: $out"
printf '%-6s %12s %10s %7s %8s %6s %10s\n' worker execs exec/s paths crashes hangs stability
for w in "${names[@]}"; do
    st="$out/$w/fuzzer_stats"
    [[ -f "$st" ]] || { printf '%-6s (no fuzzer_stats: it never got going)\n' "$w"; continue; }
    e="$(xs_stat "$st" execs_done)"; rt="$(xs_stat "$st" run_time)"
    e="$(xs_int "$e")"; rt="$(xs_int "$rt")"
    printf '%-6s %12s %10s %7s %8s %6s %10s\n' "$w" "$e" "$((e / (rt > 0 ? rt : 1)))" \
        "$(xs_stat "$st" corpus_count)" "$(xs_stat "$st" saved_crashes)" \
        "$(xs_stat "$st" saved_hangs)" "$(xs_stat "$st" stability)"
done
echo
afl-whatsup -s -d "$out" 2>/dev/null | sed -n '/Summary stats/,$p' | grep -v '^=*$' || true

declare -A seen=()
crashes=()
while IFS= read -r f; do
    h="$(sha256sum "$f" | cut -d' ' -f1)"
    [[ -z "${seen[$h]:-}" ]] || continue
    seen[$h]=1
    crashes+=("$f")
done < <(xs_crash_files "$out")
if [[ $seed_crashes -gt 0 ]]; then
    echo "$seed_crashes seed(s) already disagreed under --fault $fault before fuzzing: $out/seed-crashes/"
fi
if [[ ${#crashes[@]} -eq 0 ]]; then
    echo "no crash"
else
    # Every unique crash's replay command goes to a file; the first ones are printed too.
    commands="$out/replay-commands.txt"
    for f in "${crashes[@]}"; do
        if [[ -n "$daemon" ]]; then
            printf '%s real lu --daemon %s %s\n' "$(xs_quote "$XS_XSFUZZ")" "$daemon" "$(xs_quote "$f")"
            continue
        fi
        printf '%s replay %s' "$(xs_quote "$XS_XSFUZZ")" "$(xs_quote "$f")"
        [[ -z "$fault" ]] || printf ' --fault %s' "$(xs_quote "$fault")"
        printf '\n'
    done >"$commands"
    show=20
    echo "${#crashes[@]} unique crash(es); replay each with:"
    head -n "$show" "$commands" | sed 's/^/  /'
    if [[ ${#crashes[@]} -gt $show ]]; then
        echo "  ... and $(( ${#crashes[@]} - show )) more: every command is in $commands"
    fi
    if [[ -n "$daemon" ]]; then
        echo "or all of them, grouped by signature: $(xs_quote "$XS_XSFUZZ") real lu --daemon $daemon $(xs_quote "$out")/*/crashes"
    else
        echo "or all of them, grouped by divergence signature: scripts/replay.sh $(xs_quote "$out")"
    fi
fi

if [[ -n "$failed" ]]; then
    xs_log "worker(s) failed: $failed(logs in $out/.logs/)"
    exit 1
fi
[[ $stop_requested -eq 0 ]] || exit 130
exit 0
