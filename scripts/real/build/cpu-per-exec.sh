#!/usr/bin/env bash
# CPU time per input of `xsfuzz afl --daemon` (the harness and its daemons), which a loaded machine
# changes less than wall time: afl-showmap runs N inputs through one target process, then only the
# first input; the difference of their CPU times (user + sys of afl-showmap's children, which include
# the daemons) divided by N - 1 is the CPU per input, and 1 / that the exec/s one core would give.
# The inputs are the corpus's, cycled when N is larger (copies run the same code again: how the JIT's
# share falls with N shows whether it is only warm-up). Inputs that crash the target (a finding ends
# the persistent target, and afl-showmap with it) are set aside first, in a pass that is not timed.
# Variants run side by side, interleaved round by round, so that the machine's load hits them alike:
#   --variant 'LABEL ENV=VALUE...'   the target runs with these variables (repeatable; default: one
#                                    variant "as-is"); TARGET=PATH in a variant picks another xsfuzz
#                                    binary (a build of another commit, for before/after)
# Usage: scripts/real/build/cpu-per-exec.sh [--rounds R] [--variant SPEC]... [N] [xsfuzz afl arguments...]
set -euo pipefail
XS_SCRIPT=cpu-per-exec.sh
# shellcheck source=../../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/common.sh"
rounds=1 variants=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) xs_need_value "$@"; { xs_is_uint "$2" && [[ $2 -ge 1 ]]; } || xs_usage_error "--rounds must be at least 1"
            rounds="$2"; shift 2 ;;
        --variant) xs_need_value "$@"; variants+=("$2"); shift 2 ;;
        *) break ;;
    esac
done
[[ ${#variants[@]} -gt 0 ]] || variants=("as-is")
n="${1:-40}"; shift || true
{ xs_is_uint "$n" && [[ $n -ge 2 ]]; } || xs_usage_error "N must be at least 2"
xs_afl_env
work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-cpu.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ok" "$work/crashing" "$work/many" "$work/one"
cd "$work"   # afl-showmap leaves its temporary input file in the current folder when the target crashes

# showmap DIR OUT LABEL ENV... -- ARGS...: afl-showmap over DIR with the variant's environment; its
# CPU seconds (user + sys) go to $work/time.
showmap() {
    local dir="$1" out="$2" target="$XS_XSFUZZ_AFL" env=() kv
    shift 2
    while [[ $1 != -- ]]; do
        kv="$1"; shift
        if [[ $kv == TARGET=* ]]; then target="${kv#TARGET=}"; else env+=("$kv"); fi
    done
    shift
    rm -rf "$out"
    env "${env[@]}" /usr/bin/time -f "%U %S" -o "$work/time" afl-showmap -t 20000 -m none -i "$dir" -o "$out" \
        -- "$target" afl "$@" >"$out.log" 2>&1
}
spec_env() { read -r -a words <<<"$1"; [[ ${#words[@]} -lt 2 ]] || printf '%s\n' "${words[@]:1}"; }

# Set aside the corpus inputs that crash the target (of the first variant): afl-showmap reads its -i
# folder in name order, so the first input without an output is the one that ended the target.
find "$XS_CORPUS" -maxdepth 1 -name '*.bin' -exec cp {} "$work/ok/" \;
mapfile -t first_env < <(spec_env "${variants[0]}")
until showmap "$work/ok" "$work/check" "${first_env[@]}" -- "$@"; do
    bad="$(comm -23 <(find "$work/ok" -type f -printf '%f\n' | sort) <(find "$work/check" -type f -printf '%f\n' 2>/dev/null | sort) | head -n 1)"
    [[ -n "$bad" ]] || xs_die "afl-showmap failed with every input answered: $(tail -n 3 "$work/check.log")"
    mv "$work/ok/$bad" "$work/crashing/"
done
crashing="$(find "$work/crashing" -type f -printf '%f ' | sort)"
[[ -z "$crashing" ]] || echo "set aside (they crash the target): $crashing"
mapfile -t ok < <(find "$work/ok" -type f | sort)
[[ ${#ok[@]} -gt 0 ]] || xs_die "no corpus input runs without a crash"
for ((i = 0; i < n; i++)); do
    cp "${ok[i % ${#ok[@]}]}" "$work/many/$(printf '%05d' "$i")-$(basename "${ok[i % ${#ok[@]}]}")"
done
cp "$(find "$work/many" -type f | sort | head -n 1)" "$work/one/"

# A round whose run crashed the target (an input that crashes only at times: the sandbox's daemons
# are not deterministic) sets that input aside and starts again, so that all variants of a round run
# the same inputs.
for ((r = 1; r <= rounds; r++)); do
    lines=()
    for spec in "${variants[@]}"; do
        read -r label _ <<<"$spec"
        mapfile -t env < <(spec_env "$spec")
        if ! showmap "$work/many" "$work/out-many" "${env[@]}" -- "$@"; then
            bad="$(comm -23 <(find "$work/many" -type f -printf '%f\n' | sort) <(find "$work/out-many" -type f -printf '%f\n' 2>/dev/null | sort) | head -n 1)"
            [[ -n "$bad" ]] || xs_die "$label: afl-showmap failed: $(tail -n 3 "$work/out-many.log")"
            echo "round $r $label: $bad crashed the target this time: set aside, round again"
            mv "$work/many/$bad" "$work/crashing/"
            r=$((r - 1))
            continue 2
        fi
        many="$(awk '{ print $1 + $2 }' "$work/time")"
        showmap "$work/one" "$work/out-one" "${env[@]}" -- "$@" || xs_die "$label: afl-showmap failed on one input"
        one="$(awk '{ print $1 + $2 }' "$work/time")"
        count="$(find "$work/many" -type f | wc -l)"
        lines+=("$(awk -v m="$many" -v o="$one" -v c="$count" -v a="$*" -v l="$label" -v r="$r" 'BEGIN {
            per = (m - o) / (c - 1)
            printf "round %d %s: afl %s: %d inputs %.2f s CPU, 1 input %.2f s: %.1f ms CPU per input = %.1f exec/s per core\n", r, l, a, c, m, o, per * 1000, 1 / per }')")
    done
    printf '%s\n' "${lines[@]}"
done
