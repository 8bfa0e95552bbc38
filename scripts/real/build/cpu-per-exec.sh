#!/usr/bin/env bash
# CPU time per input of `xsfuzz afl --daemon` (the harness and its daemons), which a loaded machine
# changes less than wall time: afl-showmap runs the first N corpus inputs through one target process,
# then only the first input; the difference of their CPU times (user + sys of afl-showmap's children,
# which include the daemons) divided by N - 1 is the CPU per input, and 1 / that the exec/s one core
# would give. Usage: scripts/real/build/cpu-per-exec.sh [N] [xsfuzz afl arguments...]
set -euo pipefail
XS_SCRIPT=cpu-per-exec.sh
# shellcheck source=../../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
n="${1:-40}"; shift || true
{ xs_is_uint "$n" && [[ $n -ge 2 ]]; } || xs_usage_error "N must be at least 2"
xs_afl_env
work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-cpu.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/many" "$work/one"
find "$XS_CORPUS" -maxdepth 1 -name '*.bin' | sort | head -n "$n" | xargs -I{} cp {} "$work/many/"
cp "$(find "$work/many" -type f | sort | head -n 1)" "$work/one/"
cpu() {  # DIR ARGS...: CPU seconds of afl-showmap over DIR
    local dir="$1"; shift
    /usr/bin/time -f "%U %S" -o "$work/time" afl-showmap -t 20000 -m none -i "$dir" -o "$work/out-$(basename "$dir")" \
        -- "$XS_XSFUZZ_AFL" afl "$@" >/dev/null 2>&1 || true
    awk '{ print $1 + $2 }' "$work/time"
}
many="$(cpu "$work/many" "$@")" one="$(cpu "$work/one" "$@")"
count="$(find "$work/many" -type f | wc -l)"
awk -v m="$many" -v o="$one" -v c="$count" -v a="$*" 'BEGIN {
    per = (m - o) / (c - 1)
    printf "afl %s: %d inputs %.2f s CPU, 1 input %.2f s: %.0f ms CPU per input = %.1f exec/s per core\n", a, c, m, o, per * 1000, 1 / per }'
