#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=fuzz.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
usage: scripts/fuzz.sh [--jobs N] [--time DURATION] [--out DIR] [--fault NAME] [--resume]
                       [--timeout MS] [--status SECONDS]

Runs an AFL++ campaign on the instrumented target (build/afl/xsfuzz afl), headless: one -M
worker and N-1 -S workers with varied power schedules, each pinned to its own CPU, seeded from
corpus/ (or from 'xsfuzz corpus' when corpus/ has no file). Runs scripts/setup.sh first.
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
  -h, --help        this text

Exit status: 0 when the campaign ran to its end (crashes or not), 1 when a worker failed,
2 on bad usage, 130 after Ctrl-C.
EOF
}

jobs="" time_arg="" out="" fault="" resume=0 timeout_ms="$XS_DEFAULT_TIMEOUT_MS" status_every=10
while [[ $# -gt 0 ]]; do
    case "$1" in
        --jobs) xs_need_value "$@"; jobs="$2"; shift ;;
        --time) xs_need_value "$@"; time_arg="$2"; shift ;;
        --out) xs_need_value "$@"; out="$2"; shift ;;
        --fault) xs_need_value "$@"; fault="$2"; shift ;;
        --resume) resume=1 ;;
        --timeout) xs_need_value "$@"; timeout_ms="$2"; shift ;;
        --status) xs_need_value "$@"; status_every="$2"; shift ;;
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
if [[ $resume -eq 1 && -f "$out/$XS_MARKER" ]]; then
    old_fault="$(xs_marker_get "$out" fault || true)"
    [[ "$old_fault" == "$fault" ]] \
        || xs_die "--resume: the campaign in $out ran with --fault '${old_fault}', not '${fault}'"
fi

mkdir -p "$out/.logs"
{
    echo "fault=$fault"
    echo "timeout_ms=$timeout_ms"
    echo "jobs=$jobs"
    echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$out/$XS_MARKER"

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

xs_afl_env
[[ $resume -eq 0 ]] || export AFL_AUTORESUME=1

# Power schedules, as AFL++'s fuzzing_in_depth.md suggests: the main node on the default (fast),
# the secondaries spread over the others.
schedules=(fast explore coe lin quad exploit rare seek mmopt)
target=()
xs_target_cmd target "$fault"

pin=1
if [[ $jobs -gt ${#cpus[@]} ]]; then
    pin=0
    export AFL_NO_AFFINITY=1
    xs_log "warning: $jobs workers on ${#cpus[@]} CPUs: not pinning, expect lower exec/s per worker"
fi

xs_log "campaign: $jobs worker(s), ${seconds:+time ${seconds}s, }fault '${fault:-none}', -t $timeout_ms, $n_seeds seeds from $seed_origin, out $out"
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
    local execs=0 eps=0 w pd last e s
    for w in "${names[@]}"; do
        pd="$out/$w/plot_data"
        last="$(grep -v '^#' "$pd" 2>/dev/null | tail -n 1 || true)"
        if [[ -n "$last" ]]; then
            e="$(awk -F', *' '{print $12}' <<<"$last")"
            s="$(awk -F', *' '{printf "%d", $11}' <<<"$last")"
        else
            e="$(xs_stat "$out/$w/fuzzer_stats" execs_done)"
            s="$(xs_stat "$out/$w/fuzzer_stats" execs_per_sec | cut -d. -f1)"
        fi
        execs=$((execs + ${e:-0})); eps=$((eps + ${s:-0}))
    done
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
[[ $seconds -eq 0 ]] || deadline=$((start + seconds + 60))   # -V ends them; this is a backstop
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
            if [[ $rc -ne 0 || ( $seconds -gt 0 && $((SECONDS - start)) -lt $((seconds - 5)) ) || $seconds -eq 0 ]]; then
                [[ $stop_requested -eq 1 ]] || failed+="${names[$idx]} "
            fi
        fi
    done
    [[ $alive -gt 0 && -z "$failed" && $stop_requested -eq 0 ]] || break
    if [[ $deadline -gt 0 && $SECONDS -ge $deadline ]]; then
        xs_log "workers still running ${seconds}s + 60s after the start: stopping them"
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
    echo "--- worker $w stopped early; last lines of $out/.logs/$w.log:" >&2
    tail -n 15 "$out/.logs/$w.log" | sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' >&2
done

# Summary.
echo
echo "=== campaign summary: $out"
printf '%-6s %12s %10s %7s %8s %6s %10s\n' worker execs exec/s paths crashes hangs stability
for w in "${names[@]}"; do
    st="$out/$w/fuzzer_stats"
    [[ -f "$st" ]] || { printf '%-6s (no fuzzer_stats: it never got going)\n' "$w"; continue; }
    e="$(xs_stat "$st" execs_done)"; rt="$(xs_stat "$st" run_time)"
    e="${e:-0}"; rt="${rt:-0}"
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
if [[ ${#crashes[@]} -eq 0 ]]; then
    echo "no crash"
else
    echo "${#crashes[@]} unique crash(es); replay each with:"
    for f in "${crashes[@]}"; do
        printf '  %q replay %q' "$XS_XSFUZZ" "$f"
        [[ -z "$fault" ]] || printf ' --fault %q' "$fault"
        printf '\n'
    done
    echo "or all of them, grouped by signature: scripts/replay.sh $(printf '%q' "$out")"
fi

if [[ -n "$failed" ]]; then
    xs_log "worker(s) failed: $failed(logs in $out/.logs/)"
    exit 1
fi
[[ $stop_requested -eq 0 ]] || exit 130
exit 0
