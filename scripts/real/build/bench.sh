#!/usr/bin/env bash
# Side by side, in one run: start time, READ round trip and live update of Debian's 4.17.5 binary, the
# plain build and the traced build (with its AFL map), for both daemons; rounds interleave the builds so
# that the machine's load hits them alike. Raw lines per run, then one summary line per daemon and build
# (medians over the rounds of each run's median).
set -euo pipefail

usage() { echo "usage: scripts/real/build/bench.sh [--rounds N] [--reads N] [--updates N]"; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
rounds=3 reads=2000 updates=10
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds|--reads|--updates)
            [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "$1 needs a positive number" >&2; exit 2; }
            declare "${1#--}=$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
    shift
done

"$ROOT/scripts/real-build.sh" --quiet
WORK="$(mktemp -d /tmp/xsfuzz-real-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
BUILDS=(debian-4.17.5 plain traced)

for ((r = 1; r <= rounds; r++)); do
    for kind in xenstored oxenstored; do
        for build in "${BUILDS[@]}"; do
            map=(--no-map); [[ $build == traced ]] && map=()
            out="$WORK/$kind.$build.$r"
            python3 "$ROOT/scripts/real/build/aflmap.py" "${map[@]}" --build "$build" --reads "$reads" \
                --updates "$updates" "$kind" "$WORK/run-$kind-$build" > "$out" 2>&1 \
                || { echo "$kind $build round $r failed:" >&2; cat "$out" >&2; exit 1; }
            echo "round $r $kind $build: $(tr '\n' ' ' < "$out")"
        done
    done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
printf '%-11s %-14s %10s %12s %12s  %s\n' daemon build start_ms read_us update_ms "map bytes (start requests update after fresh)"
for kind in xenstored oxenstored; do
    for build in "${BUILDS[@]}"; do
        files=("$WORK/$kind.$build".*)
        s="$(awk '/^start_ms/ { print $2 }' "${files[@]}" | median)"
        rd="$(awk '/^read_us/ { sub("median=", "", $2); print $2 }' "${files[@]}" | median)"
        lu="$(awk '/^update_ms/ { sub("median=", "", $2); print $2 }' "${files[@]}" | median)"
        m="$(awk '$1 ~ /^(start|requests|update|after|fresh)$/ { printf "%s ", $2 }' "${files[0]}")"
        printf '%-11s %-14s %10s %12s %12s  %s\n' "$kind" "$build" "$s" "$rd" "$lu" "${m:--}"
    done
done
