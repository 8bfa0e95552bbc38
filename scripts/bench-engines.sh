#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=bench-engines.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF'
usage: scripts/bench-engines.sh [--faults A,B,...] [--limit SECONDS] [--keep DIR]

Time to the first crash of each planted fault, libFuzzer against AFL++, side by side: for every
fault, one after the other on the same machine,
  libFuzzer: scripts/fuzz-libfuzzer.sh --until-crash --jobs 1 --time LIMIT --fault F
  AFL++:     AFL_BENCH_UNTIL_CRASH=1 scripts/fuzz.sh --jobs 1 --time LIMIT --fault F
Both start from corpus/ less the seeds that already disagree under F. Two times per engine:
"start" from the engine's start to its first crash file, and "fuzz" from the end of its seed runs
(AFL++: the time: field of the crash file, counted from the end of its dry run; libFuzzer: from
its INITED line) to the crash. Prints one row per fault with the times, each run's exec/s and the
1-minute load average before the pair, so that a loaded machine shows.

  --faults A,B  the faults (default: every one of 'xsfuzz faults')
  --limit N     give up on a fault after N seconds (default 120)
  --keep DIR    keep the campaigns under DIR (must not exist) instead of a temp dir
  -h, --help    this text
EOF
}

faults="" limit=120 keep=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --faults) xs_need_value "$@"; faults="$2"; shift ;;
        --limit) xs_need_value "$@"; limit="$2"; shift ;;
        --keep) xs_need_value "$@"; keep="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done
{ xs_is_uint "$limit" && [[ $limit -ge 10 ]]; } || xs_usage_error "--limit needs seconds (>= 10), not '$limit'"
xs_ensure_build
"$XS_ROOT/scripts/libfuzzer/build-driver.sh" --quiet
export XS_BUILD_CHECKED=1
if [[ -n "$faults" ]]; then
    IFS=, read -ra fault_list <<<"$faults"
    for f in "${fault_list[@]}"; do xs_check_fault "$f"; done
else
    mapfile -t fault_list < <(xs_fault_names)
fi
if [[ -n "$keep" ]]; then
    [[ ! -e "$keep" ]] || xs_die "--keep $keep already exists"
    dir="$(xs_abspath "$keep")"
    mkdir -p "$dir"
else
    dir="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-engines.XXXXXX")"
    trap 'rm -rf "$dir"' EXIT
fi

load() { cut -d' ' -f1 /proc/loadavg; }

printf '%-24s %6s | %-18s %7s | %-18s %7s\n' "" "" "libFuzzer s" "" "AFL++ s" ""
printf '%-24s %6s | %8s %9s %7s | %8s %9s %7s\n' fault load start fuzz exec/s start fuzz exec/s
for f in "${fault_list[@]}"; do
    l="$(load)"
    lf="$dir/$f-libfuzzer" afl="$dir/$f-afl"
    "$XS_ROOT/scripts/fuzz-libfuzzer.sh" --until-crash --jobs 1 --time "$limit" --fault "$f" \
        --status 0 --out "$lf" >"$dir/$f-libfuzzer.txt" 2>&1 || true
    lf_start="$(sed -n 's/^first crash \([0-9.]*\) s after libFuzzer started.*/\1/p' "$dir/$f-libfuzzer.txt")"
    lf_fuzz="$(sed -n 's/^first crash .*(\([0-9.]*\) s after it had run the seeds).*/\1/p' "$dir/$f-libfuzzer.txt")"
    lf_eps="$(awk '$1 == "libfuzzer" { print $3 }' "$dir/$f-libfuzzer.txt")"

    AFL_BENCH_UNTIL_CRASH=1 "$XS_ROOT/scripts/fuzz.sh" --jobs 1 --time "$limit" --fault "$f" \
        --status 0 --out "$afl" >"$dir/$f-afl.txt" 2>&1 || true
    first="$(find "$afl" -path '*/crashes/id:*' -type f -printf '%T@ %f\n' 2>/dev/null \
        | sed -n 's/^\([0-9.]*\) .*,time:\([0-9]*\),.*/\2 \1/p' | sort -n | xs_first 1)"
    afl_fuzz="" afl_start=""
    if [[ -n "$first" ]]; then
        afl_fuzz="$(awk -v ms="${first% *}" 'BEGIN { printf "%.1f", ms / 1000 }')"
        # afl-fuzz writes its cmdline file as it starts, before the fork server and the dry run.
        afl_start="$(awk -v a="$(stat -c %.9Y "$(find "$afl" -name cmdline | xs_first 1)")" -v b="${first#* }" \
            'BEGIN { printf "%.1f", b - a }')"
    fi
    afl_eps="$(awk '$1 == "main" { print $3 }' "$dir/$f-afl.txt")"

    printf '%-24s %6s | %8s %9s %7s | %8s %9s %7s\n' "$f" "$l" "${lf_start:->$limit}" "${lf_fuzz:--}" \
        "${lf_eps:--}" "${afl_start:->$limit}" "${afl_fuzz:--}" "${afl_eps:--}"
done
[[ -z "$keep" ]] || echo "campaigns and their output kept in $dir"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
