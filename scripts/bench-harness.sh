#!/usr/bin/env bash
set -euo pipefail
XS_SCRIPT=bench-harness.sh
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<'EOF_USAGE'
usage: scripts/bench-harness.sh [--against COMMIT] [--iterations N] [--seed S] [--rounds N] [--split N]
                               [--inputs DIR]

Compares the CPU cost of 'xsfuzz check' of two builds side by side, on one core:
  A = this working tree (build/plain, via scripts/setup.sh),
  B = COMMIT (default: the merge base with main), published into a scratch git worktree under /tmp.
Runs 'check --iterations N --seed S' pinned with 'taskset -c 1' under /usr/bin/time, alternating
A B A B ... for N rounds, and prints each run's CPU seconds (user + sys), the medians, the ratio B/A and
whether both builds report the same run (same scenario, live update and command counts: the same
scenarios decoded from the same seed). Then 'xsfuzz bench-harness' of A: the in-process cost split
(the harness against its ideal, the model requests of both instances plus dump and restore).

  --against COMMIT  the build to compare with (any commit-ish)
  --iterations N    inputs per check run (default 6000)
  --seed S          random seed (default 3)
  --rounds N        A/B pairs (default 3; more on a loaded machine)
  --split N         inputs per pass of the cost split (default 2000; 0 skips it)
  --inputs DIR      the inputs of DIR instead of random ones (a corpus, or AFL's inputs: a fuzz.sh
                    output dir or a worker's): each round runs 'replay --no-shrink' over them (every
                    one must agree), and the cost split cycles through them; --iterations and --seed
                    then only size the split. AFL's queue costs more per input than check's random
                    inputs, so this is the AFL target's work without afl-fuzz's variance.
  -h, --help        this text
EOF_USAGE
}

against="" iterations=6000 seed=3 rounds=3 split=2000 inputs=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --against) xs_need_value "$@"; against="$2"; shift ;;
        --iterations) xs_need_value "$@"; iterations="$2"; shift ;;
        --seed) xs_need_value "$@"; seed="$2"; shift ;;
        --rounds) xs_need_value "$@"; rounds="$2"; shift ;;
        --split) xs_need_value "$@"; split="$2"; shift ;;
        --inputs) xs_need_value "$@"; inputs="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) xs_usage_error "unknown argument '$1'" ;;
    esac
    shift
done
for v in iterations seed rounds; do
    { xs_is_uint "${!v}" && [[ ${!v} -ge 1 ]]; } || xs_usage_error "--$v needs a positive integer, not '${!v}'"
done
xs_is_uint "$split" || xs_usage_error "--split needs a non-negative integer, not '$split'"
command -v taskset >/dev/null 2>&1 || xs_die "taskset (util-linux) is not installed"
xs_install_packages time=/usr/bin/time

cd "$XS_ROOT"
if [[ -z "$against" ]]; then
    against="$(git merge-base HEAD main 2>/dev/null)" || xs_die "no merge base with main; give --against COMMIT"
fi
commit="$(git rev-parse --verify --quiet "$against^{commit}")" || xs_die "--against: '$against' is not a commit"

xs_ensure_build
work="$(mktemp -d "${TMPDIR:-/tmp}/xsfuzz-bench-harness.XXXXXX")"
cleanup() {
    git -C "$XS_ROOT" worktree remove --force "$work/tree" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

xs_log "publishing B = ${commit:0:12} (scratch worktree $work/tree)"
git worktree add --detach "$work/tree" "$commit" >/dev/null 2>&1 || xs_die "git worktree add failed"
dotnet publish "$work/tree/fuzz/XsFuzz.Cli/XsFuzz.Cli.csproj" -c Release -o "$work/b" -nologo \
    >"$work/publish.log" 2>&1 || xs_die "publishing ${commit:0:12} failed (log: $work/publish.log; kept only until exit)"

declare -A bin=([A]="$XS_XSFUZZ" [B]="$work/b/xsfuzz")
run=(check --iterations "$iterations" --seed "$seed" --out "$work")
split_inputs=()
if [[ -n "$inputs" ]]; then
    [[ -d "$inputs" ]] || xs_die "--inputs: '$inputs' is not a folder"
    mkdir "$work/inputs"
    n_inputs="$(xs_gather_inputs "$inputs" "$work/inputs")"
    [[ $n_inputs -gt 0 ]] || xs_die "--inputs: '$inputs' holds no input file"
    mapfile -t files < <(xs_list_inputs "$work/inputs")
    run=(replay --no-shrink "${files[@]}")
    split_inputs=(--inputs "$work/inputs")
fi
declare -A cpu=([A]="" [B]="")
declare -A summary=()
printf '%-5s %-4s %10s %10s\n' round side cpu_s max_rss_kb
for round in $(seq "$rounds"); do
    for side in A B; do
        out="$work/$side.$round"
        /usr/bin/time -f '%U %S %M' -o "$out.time" taskset -c 1 "${bin[$side]}" "${run[@]}" >"$out.log" 2>&1 \
            || xs_die "${run[0]} of $side failed: $(tail -1 "$out.log")"
        read -r user sys rss <"$out.time"
        total="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
        cpu[$side]+="$total "
        printf '%-5s %-4s %10s %10s\n' "$round" "$side" "$total" "$rss"
        # The run's counts, without the timings: equal counts mean the same scenarios ran (with
        # --inputs: every input's verdict, in order).
        if [[ -n "$inputs" ]]; then
            summary[$side.$round]="$(grep -c '^verdict: agree' "$out.log") of $n_inputs inputs agree; verdicts $(grep '^verdict:' "$out.log" | sha256sum | cut -c1-12)"
        else
            summary[$side.$round]="$(tail -1 "$out.log" | sed -E 's/ in [0-9.]+ s \([0-9]+\/s\)//; s/; [0-9.]+ s CPU \([0-9]+ scenarios per CPU second\)//')"
        fi
    done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ma="$(median <<<"${cpu[A]}")" mb="$(median <<<"${cpu[B]}")"
echo
echo "A = working tree ($(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ', with changes'))   B = ${commit:0:12}"
echo "${run[*]:0:6}$([[ -z "$inputs" ]] || echo "... ($n_inputs inputs of $inputs)"), taskset -c 1, $rounds rounds"
n="$iterations"
[[ -z "$inputs" ]] || n="$n_inputs"
awk -v a="$ma" -v b="$mb" -v n="$n" 'BEGIN {
    printf "median CPU s: A %.2f  B %.2f   B/A %.2f   scenarios per CPU second: A %.0f  B %.0f\n", a, b, b / a, n / a, n / b }'
same=yes
for round in $(seq "$rounds"); do
    [[ "${summary[A.$round]}" == "${summary[B.$round]}" ]] || same=no
done
echo "same runs (scenario, live-update and command counts) on both builds: $same"
echo "  A: ${summary[A.1]}"
[[ $same == yes ]] || echo "  B: ${summary[B.1]}"

if [[ $split -gt 0 ]]; then
    echo
    echo "in-process cost split of A (xsfuzz bench-harness --iterations $split --seed $seed ${split_inputs[*]}, thread CPU time):"
    taskset -c 1 "$XS_XSFUZZ" bench-harness --iterations "$split" --seed "$seed" --repeat 3 "${split_inputs[@]}"
fi
