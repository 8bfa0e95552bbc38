#!/usr/bin/env bash
# Side by side, in one run: exec/s and stability of `xsfuzz afl --daemon` under afl-fuzz for each way of
# getting a daemon per input (fresh: two new daemons per input; fork: copies from the shim's fork
# servers; fork-ring: the same, oxenstored's updates asked over dom0's ring). Each campaign is two
# afl-fuzz instances (-M and -S, one per core of a 2-core machine) for SECONDS from the same corpus
# seeds. One line per instance: execs_done, run_time, execs_done/run_time, afl's stability and edges.
set -euo pipefail
XS_SCRIPT=afl-designs.sh
# shellcheck source=../../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"

usage() { echo "usage: scripts/real/build/afl-designs.sh [--seconds N] [--daemon NAME] [--design fresh|fork|fork-ring]..."; }
seconds=120 daemons=() designs=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) xs_need_value "$@"; xs_is_uint "$2" || xs_usage_error "--seconds needs whole seconds"; seconds="$2"; shift ;;
        --daemon) xs_need_value "$@"; daemons+=("$2"); shift ;;
        --design) xs_need_value "$@"; designs+=("$2"); shift ;;
        -h|--help) usage; exit 0 ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done
[[ ${#daemons[@]} -gt 0 ]] || daemons=(xenstored oxenstored)
[[ ${#designs[@]} -gt 0 ]] || designs=(fresh fork)

"$XS_ROOT/scripts/setup.sh" --quiet
"$XS_ROOT/scripts/real-sandbox.sh" setup --quiet
"$XS_ROOT/scripts/real-build.sh" --quiet
xs_afl_env
export AFL_NO_AFFINITY=1
work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-afl-designs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/seeds"
cp "$XS_CORPUS"/00{0,1,2}-*.bin "$work/seeds/"
stat() { awk -F' *: *' -v k="$2" '$1 == k {print $2}' "$1"; }

for daemon in "${daemons[@]}"; do
    for design in "${designs[@]}"; do
        args=(afl --daemon "$daemon")
        case "$design" in
            fresh) args+=(--daemon-start fresh); [[ $daemon != oxenstored ]] || args+=(--lu-over-socket) ;;
            fork) args+=(--daemon-start fork); [[ $daemon != oxenstored ]] || args+=(--lu-over-socket) ;;
            fork-ring) [[ $daemon == oxenstored ]] || continue; args+=(--daemon-start fork) ;;
            *) xs_usage_error "unknown design '$design'" ;;
        esac
        out="$work/$daemon-$design"
        pids=()
        for role in "-M main" "-S second"; do
            # shellcheck disable=SC2086 # role is two words on purpose
            timeout -k 10 $((seconds + 300)) afl-fuzz -i "$work/seeds" -o "$out" $role -V "$seconds" -t 20000 -m none \
                -- "$XS_XSFUZZ_AFL" "${args[@]}" >"$out.${role#* }.log" 2>&1 &
            pids+=($!)
        done
        wait "${pids[@]}" || true
        for instance in main second; do
            s="$out/$instance/fuzzer_stats"
            if [[ ! -f $s ]]; then echo "$daemon $design $instance: no fuzzer_stats"; tail -5 "$out.$instance.log"; continue; fi
            execs="$(stat "$s" execs_done)" run="$(stat "$s" run_time)"
            echo "$daemon $design $instance: execs $execs in $run s = $(awk -v e="$execs" -v t="$run" 'BEGIN { printf "%.1f", e / t }') exec/s," \
                "stability $(stat "$s" stability), edges $(stat "$s" edges_found), crashes $(stat "$s" saved_crashes), hangs $(stat "$s" saved_hangs)"
        done
    done
done
