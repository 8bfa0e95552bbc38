#!/usr/bin/env bash
# Side by side, interleaved round by round (the machine is shared: ratios within a round only):
# `xsfuzz afl --daemon D` under one afl-fuzz (-V SECONDS, unpinned, corpus/000-002 as test-real-afl.sh
# runs it) for each variant. One line per run: execs, exec/s, afl's stability and edges, the CPU time
# of the whole process tree per exec (perf stat task-clock: it counts the daemons too, which
# /usr/bin/time misses, since they are reaped by their fork server, not by afl-fuzz), and the load
# average before and after.
#   --variant 'LABEL ENV=VALUE...'   run the target with these variables (repeatable; default: one
#                                    variant "as-is"); TARGET=PATH picks another xsfuzz binary (a copy
#                                    of build/afl of another commit; XSFUZZ_REAL_SANDBOX is set to this
#                                    tree's sandbox script, so a copy outside the tree runs too)
#   --keep                           keep the work folder (the campaigns' queues and crashes)
# Usage: scripts/real/build/afl-ab.sh [--rounds R] [--seconds S] [--daemon D] [--keep] [--variant SPEC]...
set -euo pipefail
XS_SCRIPT=afl-ab.sh
# shellcheck source=../../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
rounds=2 seconds=60 daemon=xenstored keep=0 variants=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) xs_need_value "$@"; { xs_is_uint "$2" && [[ $2 -ge 1 ]]; } || xs_usage_error "--rounds must be at least 1"
            rounds="$2"; shift 2 ;;
        --seconds) xs_need_value "$@"; { xs_is_uint "$2" && [[ $2 -ge 10 ]]; } || xs_usage_error "--seconds must be at least 10"
            seconds="$2"; shift 2 ;;
        --daemon) xs_need_value "$@"; [[ $2 == xenstored || $2 == oxenstored ]] || xs_usage_error "--daemon must be xenstored or oxenstored"
            daemon="$2"; shift 2 ;;
        --variant) xs_need_value "$@"; variants+=("$2"); shift 2 ;;
        --keep) keep=1; shift ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
done
[[ ${#variants[@]} -gt 0 ]] || variants=("as-is")
command -v perf >/dev/null || xs_die "perf is needed (the CPU time of the daemons)"
"$XS_ROOT/scripts/setup.sh" --quiet
"$XS_ROOT/scripts/real-sandbox.sh" setup --quiet
"$XS_ROOT/scripts/real-build.sh" --quiet
xs_afl_env
export AFL_NO_AFFINITY=1 XSFUZZ_REAL_SANDBOX="$XS_ROOT/scripts/real-sandbox.sh"
timeout_ms=5000
[[ $daemon == xenstored ]] || timeout_ms=20000
work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-afl-ab.XXXXXX")"
if [[ $keep == 1 ]]; then echo "work folder: $work"; else trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work/seeds"
cp "$XS_CORPUS"/00{0,1,2}-*.bin "$work/seeds/"
stat() { awk -F' *: *' -v k="$2" '$1 == k {print $2}' "$1"; }

for ((r = 1; r <= rounds; r++)); do
    for spec in "${variants[@]}"; do
        read -r label _ <<<"$spec"
        read -r -a words <<<"$spec"
        target="$XS_XSFUZZ_AFL" env=()
        for kv in "${words[@]:1}"; do
            if [[ $kv == TARGET=* ]]; then target="${kv#TARGET=}"; else env+=("$kv"); fi
        done
        out="$work/$r-$label"
        load_before="$(cut -d' ' -f1 /proc/loadavg)"
        perf stat -x, -e task-clock -o "$out.perf" env "${env[@]}" timeout -k 10 $((seconds + 300)) \
            afl-fuzz -i "$work/seeds" -o "$out" -V "$seconds" -t "$timeout_ms" -m none -- "$target" afl --daemon "$daemon" \
            >"$out.log" 2>&1 || true
        load_after="$(cut -d' ' -f1 /proc/loadavg)"
        s="$out/default/fuzzer_stats"
        if [[ ! -f $s ]]; then echo "round $r $label: no fuzzer_stats"; tail -n 5 "$out.log"; continue; fi
        execs="$(stat "$s" execs_done)" run="$(stat "$s" run_time)"
        cpu_ms="$(awk -F, '$3 == "task-clock" { print $1 }' "$out.perf")"
        awk -v r="$r" -v l="$label" -v d="$daemon" -v e="$execs" -v t="$run" -v c="$cpu_ms" -v st="$(stat "$s" stability)" \
            -v ed="$(stat "$s" edges_found)" -v cr="$(stat "$s" saved_crashes)" -v lb="$load_before" -v la="$load_after" 'BEGIN {
            printf "round %d %-10s %s: %d execs in %d s = %.1f exec/s, stability %s, edges %s, crashes %s, CPU %.1f ms/exec, load %s-%s\n",
                r, l, d, e, t, e / t, st, ed, cr, c / e, lb, la }'
    done
done
