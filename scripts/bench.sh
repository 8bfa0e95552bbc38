#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=bench.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/bench.sh [--seconds N] [--repeat N] [--faults A,B,C] [--crash-limit N]
                        [--trials N] [--compare-modes] [--no-throughput] [--no-crashes] [--keep DIR]

Measures the AFL throughput figures of the AFL note, every campaign run through fuzz.sh
(same flags and environment as a real campaign), and prints them as a table:
  - exec/s of the empty SharpFuzz target ('xsfuzz afl --empty') and of 'xsfuzz afl', one
    worker each, back to back, and their ratio;
  - the same after the first minute ("warm": start-up, JIT tiering and the seeds' calibration
    left out), from AFL's plot_data, which afl-fuzz 4.04c starts writing at its 61st second:
    runs of --seconds 90 or more get it, shorter ones show '-';
  - 'xsfuzz afl' with AFL_MAP_SIZE set to SharpFuzz's map size (65536);
  - 'xsfuzz afl' with 2 workers (total and per worker);
  - AFL stability of each run;
  - seconds to the first crash for three planted faults (one worker, AFL_BENCH_UNTIL_CRASH),
    from the seeds that do not already disagree under that fault (fuzz.sh sets those aside).
Runs scripts/setup.sh first. Takes about 4 x N x repeat seconds (6 x with --compare-modes)
plus the crash searches.

  --seconds N       length of each throughput run (default 60)
  --repeat N        run every throughput configuration N times, round-robin, and report the
                    median (default 1; use 3 on a machine that others load)
  --faults A,B,C    planted faults for time-to-first-crash (default: the first three of
                    'xsfuzz faults')
  --crash-limit N   give up on a fault after N seconds (default 300)
  --trials N        crash searches per fault; the table shows each and the median (default 1)
  --compare-modes   also run the empty and real targets with both SharpFuzz fork servers
                    (XSFUZZ_AFL_MODE=in-process and out-of-process)
  --no-throughput   skip the throughput runs
  --no-crashes      skip the time-to-first-crash runs
  --keep DIR        keep every campaign under DIR (must not exist) instead of a temp dir
  -h, --help        this text
EOF
}

seconds=60 faults="" crash_limit=300 trials=1 compare=0 crashes=1 throughput=1 repeat=1 keep=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) xs_need_value "$@"; seconds="$2"; shift ;;
        --faults) xs_need_value "$@"; faults="$2"; shift ;;
        --crash-limit) xs_need_value "$@"; crash_limit="$2"; shift ;;
        --trials) xs_need_value "$@"; trials="$2"; shift ;;
        --compare-modes) compare=1 ;;
        --no-crashes) crashes=0 ;;
        --no-throughput) throughput=0 ;;
        --repeat) xs_need_value "$@"; repeat="$2"; shift ;;
        --keep) xs_need_value "$@"; keep="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done
for v in seconds crash_limit trials repeat; do
    { xs_is_uint "${!v}" && [[ ${!v} -ge 1 ]]; } || xs_usage_error "--${v//_/-} needs a positive integer, not '${!v}'"
done
if [[ -n "$keep" ]]; then
    keep="$(xs_abspath "$keep")"
    [[ ! -e "$keep" ]] || xs_die "--keep $keep already exists; choose another dir"
fi

xs_ensure_build
export XS_BUILD_CHECKED=1   # one build for every measurement
if [[ -z "$faults" ]]; then
    faults="$(xs_fault_names | xs_first 3 | paste -sd, -)"
fi
IFS=, read -ra fault_list <<<"$faults"
for f in "${fault_list[@]}"; do xs_check_fault "$f"; done

if [[ -n "$keep" ]]; then
    work="$keep"
    mkdir -p "$work"
else
    work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-bench.XXXXXX")"
    trap 'rm -rf "$work"' EXIT
fi

ncpu="$(xs_cpus | xs_count)"
echo "bench: $(date -u +%Y-%m-%dT%H:%M:%SZ), $ncpu CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
     "afl-fuzz $(afl-fuzz -h 2>&1 | grep -o 'afl-fuzz++[0-9.a-z]*' | xs_first 1 | sed 's/afl-fuzz++//'), $(dotnet --version 2>/dev/null | sed 's/^/.NET SDK /')"

run_id=0
dir=""
# campaign LABEL JOBS [VAR=VALUE...] -- [fuzz.sh args...]: runs one campaign into a new $dir
campaign() {
    local label="$1" jobs="$2"
    shift 2
    local envs=()
    while [[ $# -gt 0 && "$1" != "--" ]]; do envs+=("$1"); shift; done
    shift
    run_id=$((run_id + 1))
    dir="$work/run$run_id"
    xs_log "$label: ${envs[*]:+${envs[*]} }fuzz.sh --jobs $jobs $*"
    if ! env "${envs[@]}" "$XS_ROOT/scripts/fuzz.sh" --jobs "$jobs" --out "$dir" --status 0 "$@" \
            >"$dir.log" 2>&1; then
        tail -n 30 "$dir.log" >&2
        xs_die "fuzz.sh failed for '$label' (log above)"
    fi
}

# A worker's exec/s between the first and the last row of its plot_data (relative_time is column 1,
# total_execs column 12), or '-' when it has fewer than two rows.
warm_eps() {  # WORKER_DIR -> exec/s or -
    awk -F, '!/^#/ { n++; if (n == 1) { t0 = $1; e0 = $12 } t = $1; e = $12 }
        END { if (n >= 2 && t > t0) printf "%d\n", (e - e0) / (t - t0); else print "-" }' "$1/plot_data" 2>/dev/null || echo -
}

# Sums of a campaign's workers: execs, exec/s (execs/run_time), min stability, warm exec/s ('-' if a
# worker has none).
campaign_numbers() {  # DIR -> "execs eps stability workers warm"
    local execs=0 eps=0 stab="" st e rt s n=0 warm=0 w
    for st in "$1"/*/fuzzer_stats; do
        e="$(xs_int "$(xs_stat "$st" execs_done)")"
        rt="$(xs_int "$(xs_stat "$st" run_time)")"
        s="$(xs_stat "$st" stability)"
        w="$(warm_eps "$(dirname "$st")")"
        if [[ "$w" == - || "$warm" == - ]]; then warm=-; else warm=$((warm + w)); fi
        execs=$((execs + e))
        eps=$((eps + e / (rt > 0 ? rt : 1)))
        if [[ -z "$stab" ]] || awk -v a="${s%\%}" -v b="${stab%\%}" 'BEGIN { exit !(a < b) }'; then stab="$s"; fi
        n=$((n + 1))
    done
    echo "$execs $eps ${stab:-n/a} $n $warm"
}

# The throughput configurations: label, workers, "VAR=VALUE... -- fuzz.sh args...", and the row
# whose exec/s is the "vs empty" reference (the last empty target before it).
cfg_label=() cfg_jobs=() cfg_spec=() cfg_base=()
add_cfg() {  # LABEL JOBS SPEC
    cfg_label+=("$1"); cfg_jobs+=("$2"); cfg_spec+=("$3")
    local i=$((${#cfg_label[@]} - 1))
    if [[ "$1" == empty* ]]; then base=$i; fi
    cfg_base+=("$base")
}
base=-1
modes=("")
[[ $compare -eq 0 ]] || modes=(out-of-process in-process)   # the default last: later rows compare to its empty target
for mode in "${modes[@]}"; do
    menv="" suffix=""
    if [[ -n "$mode" ]]; then
        menv="XSFUZZ_AFL_MODE=$mode"
        suffix=" [$mode]"
    fi
    add_cfg "empty SharpFuzz target (xsfuzz afl --empty)$suffix" 1 "$menv -- --empty"
    add_cfg "xsfuzz afl$suffix" 1 "$menv --"
done
add_cfg "xsfuzz afl, AFL_MAP_SIZE=65536" 1 "AFL_MAP_SIZE=65536 --"
add_cfg "xsfuzz afl, 2 workers" 2 "--"

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }

# A over B to three places, or '-' when either is missing or B is 0.
ratio_of() {  # A B
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.3f\n", a / b }'
}

if [[ $throughput -eq 1 ]]; then
    # Round-robin over the configurations, --repeat times, so that a load change on a shared
    # machine hits every row alike; each row reports the median.
    declare -A eps_runs=() stab_min=() workers_of=() warm_runs=()
    for ((r = 1; r <= repeat; r++)); do
        for i in "${!cfg_label[@]}"; do
            # shellcheck disable=SC2086  # the spec is words without spaces
            campaign "${cfg_label[$i]}${repeat:+ (run $r/$repeat)}" "${cfg_jobs[$i]}" ${cfg_spec[$i]} --time "$seconds"
            read -r _ eps stab n warm <<<"$(campaign_numbers "$dir")"
            eps_runs[$i]+="$eps "
            warm_runs[$i]+="$warm "
            workers_of[$i]="$n"
            if [[ -z "${stab_min[$i]:-}" ]] || awk -v a="${stab%\%}" -v b="${stab_min[$i]%\%}" 'BEGIN { exit !(a < b) }'; then
                stab_min[$i]="$stab"
            fi
        done
    done
    declare -A med=() warm_med=()
    for i in "${!cfg_label[@]}"; do
        # shellcheck disable=SC2086
        med[$i]="$(printf '%s\n' ${eps_runs[$i]} | median)"
        warm_med[$i]=-
        # shellcheck disable=SC2086
        [[ " ${warm_runs[$i]}" == *" - "* ]] || warm_med[$i]="$(printf '%s\n' ${warm_runs[$i]} | median)"
    done
    echo
    printf '%-60s %7s %9s %11s %10s %9s %9s %9s   %s\n' "throughput ($seconds s per run, median of $repeat)" \
        workers "exec/s" "per worker" stability "vs empty" "warm/wkr" "warm vs" "each run (exec/s)"
    for i in "${!cfg_label[@]}"; do
        n="${workers_of[$i]}"
        n1=$((n > 0 ? n : 1))
        per=$((med[$i] / n1))
        warm_per=-
        [[ "${warm_med[$i]}" == - ]] || warm_per=$((warm_med[$i] / n1))
        ratio="-" warm_ratio="-"
        b="${cfg_base[$i]}"
        if [[ "${cfg_label[$i]}" != empty* && $b -ge 0 ]]; then
            ratio="$(ratio_of "$per" "${med[$b]}")"
            warm_ratio="$(ratio_of "$warm_per" "${warm_med[$b]}")"
        fi
        printf '%-60s %7s %9s %11s %10s %9s %9s %9s   %s\n' "${cfg_label[$i]}" "$n" "${med[$i]}" "$per" \
            "${stab_min[$i]}" "$ratio" "$warm_per" "$warm_ratio" "${eps_runs[$i]% }"
    done
fi

if [[ $crashes -eq 1 ]]; then
    echo
    printf '%-28s %s\n' "first crash (1 worker, limit ${crash_limit}s)" "seconds per trial (median)"
    for f in "${fault_list[@]}"; do
        times=()
        for ((t = 1; t <= trials; t++)); do
            campaign "first crash, fault $f, trial $t" 1 AFL_BENCH_UNTIL_CRASH=1 -- \
                --time "$crash_limit" --fault "$f"
            first="$(find "$dir" -path '*/crashes/id:*' -type f -printf '%f\n' \
                | sed -n 's/.*,time:\([0-9]*\),.*/\1/p' | sort -n | xs_first 1)"
            if [[ -n "$first" ]]; then
                times+=("$(awk -v ms="$first" 'BEGIN { printf "%.1f", ms / 1000 }')")
            else
                times+=(">$crash_limit")
            fi
        done
        median="$(printf '%s\n' "${times[@]}" | sed 's/^>/9999999/' | sort -g \
            | awk '{ v[NR] = $1 } END { m = v[int((NR + 1) / 2)]; if (m >= 9999999) print "none"; else print m }')"
        note=""
        n_set_aside=0
        [[ ! -d "$dir/seed-crashes" ]] || n_set_aside="$(xs_list_inputs "$dir/seed-crashes" | xs_count)"
        [[ $n_set_aside -eq 0 ]] || note="  ($n_set_aside seed(s) already disagreed and were left out)"
        printf '%-28s %s (%s)%s\n' "$f" "${times[*]}" "$median" "$note"
    done
fi
[[ -z "$keep" ]] || echo "campaigns kept in $keep"
